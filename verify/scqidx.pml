/* variants/globalq/scq.c for the SPIN model checker: SCQ's ring of indices (ids) chained as
 * in LSCQ, with the plain-load empty check.
 *
 * Algorithm: R. Nikolaev, "A Scalable, Portable, and Memory-Efficient Lock-Free FIFO
 * Queue", DISC 2019 (Figure 8: SCQ enqueue/dequeue/catchup; section 5: LSCQ), as scq.c
 * writes it: ring_enqueue, ring_dequeue (drain 0 and 1), ring_catchup, ring_close,
 * ring_passed, globalq_push, globalq_pop, globalq_reserve. One statement (or atomic block)
 * below is one atomic access of the C code, in the C code's order: scq.c makes every
 * access to the rings and the chain seq_cst, and SPIN's interleaving semantics is
 * sequential consistency, so the interleavings SPIN explores are the C11 program's
 * behaviours for these accesses (docs/verification.md, sections 7 and 16).
 *
 * Two rings of N ids (2N slots) each: ring 0, the first, and ring 1, which a grower process
 * links after it (reserve: link, then move the producers' ring pointer) at any moment.
 * Pushers follow the link; the consumer that finds ring 0 empty with a successor closes it
 * (a bit beside its tail), drains it and moves the consumers' ring pointer.
 *
 * Checked, exhaustively, as in scq.pml: no element lost or duplicated (a final
 * single-threaded drain returns the rest); no spurious empty: a pop returns empty only if
 * at some instant during it the elements present (push done, not yet taken) were no more
 * than the other pops then in progress; FIFO in real time (a counting check); positions
 * bounded.
 *
 * The plain-load check (ring_passed) is modelled as a free choice at each pop: taken or
 * not, whatever the threshold says, so any rule for when to try it (scq.c: once a dequeue
 * found the ring empty since the last enqueue) is covered.
 *
 * Parameters (spin -D...): N ring capacity (2: 4 slots), NT worker threads (2), K rounds,
 * SCEN (0: each worker pushes then pops, K rounds; 1: worker 1 pushes K, the others pop K
 * each), GROW (1: the grower runs), WEAK (compare_exchange_weak may fail spuriously),
 * MUTANT: 0 the real code; 1 enqueue skips the threshold reset; 2 dequeue does not move an
 * empty slot to its lap; 4 enqueue skips the cycle check; 5 the plain-load check reads tail
 * before head; 6 pop reads the ring's successor before the ring's empty checks, not after.
 */

#ifndef N
#define N 2
#endif
#define NSLOT (2 * N)
#ifndef NT
#define NT 2
#endif
#ifndef SCEN
#define SCEN 0
#endif
#ifndef K
#define K 2
#endif
#ifndef GROW
#define GROW 1
#endif
#ifndef MUTANT
#define MUTANT 0
#endif
#ifndef WEAK
#define WEAK 0
#endif
#define BOT 255			/* the empty id (all ones in scq.c) */
#define THRMAX (3 * N - 1)	/* threshold_max: 3n - 1 */
#define EMPTY 254		/* SCQ_EMPTY */
#define MAXPOS 120		/* a bound on head/tail, asserted */

/* two rings; slot word = (cycle, safe, id) at [ring * NSLOT + slot]; positions start at
 * lap 1 (ring_new); closed[r] is the CLOSED bit of r's tail */
byte head[2];
byte tail[2];
bit closed[2];
short threshold[2];
byte scyc[2 * NSLOT];
bit ssafe[2 * NSLOT];
byte sidx[2 * NSLOT];
/* the chain: ring 1 follows ring 0 once linked; qhead/qtail the consumers'/producers' ring */
bit linked;
bit qhead;
bit qtail;

/* bookkeeping for the checks (not part of the algorithm) */
byte present;		/* elements whose push completed, not yet taken */
byte inprog;		/* pops in progress */
bit indeq[NT + 2];	/* process p is in a pop */
bit okempty[NT + 2];	/* ... and the empty witness held at some instant of it */
int enqdone;		/* bit v: the push of v completed */
int returned;		/* bit v: v was returned by a pop */
int placed;		/* bit v: the enqueue CAS of v happened */
int before[8];		/* before[v]: enqdone when the push of v began */
byte finished;

#define LAP(p) ((p) / NSLOT)
#define SL(r, p) ((r) * NSLOT + (p) % NSLOT)

inline popcount(x, c) {
	c = 0;
	do
	:: x != 0 -> c = c + (x & 1); x = x >> 1
	:: else -> break
	od
}

inline deq_begin() {
	atomic {
		inprog++; indeq[_pid] = 1; okempty[_pid] = 0;
		k = 0;
		do
		:: k <= NT + 1 -> if :: indeq[k] && present + 1 <= inprog -> okempty[k] = 1 :: else fi; k++
		:: else -> break
		od
	}
}

/* r = the ring; v = the id; ok = 1 if enqueued, 0 if the ring was closed */
inline ring_enqueue() {
	ok = 0;
	do
	:: /* t = fetch_add(&tail, 1); if (t & CLOSED) return 0 */
	   atomic { t = tail[r]; cl = closed[r]; tail[r]++ }
	   assert(tail[r] < MAXPOS);
	   if :: cl -> break :: else fi;
	   atomic { s = SL(r, t); ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
	   do
	   :: (MUTANT == 4 || ec < LAP(t)) && ei == BOT ->
		if
		:: es -> skip
		:: else -> if :: head[r] <= t -> skip :: else -> break fi
		fi;
		if
		:: atomic { scyc[s] == ec && ssafe[s] == es && sidx[s] == ei ->
			scyc[s] = LAP(t); ssafe[s] = 1; sidx[s] = v;
			placed = placed | (1 << v) };
			if
			:: MUTANT == 1 -> skip
			:: else -> if :: threshold[r] != THRMAX -> threshold[r] = THRMAX :: else fi
			fi;
			ok = 1;
			goto enq_out
		:: atomic { !(scyc[s] == ec && ssafe[s] == es && sidx[s] == ei) ->
			ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
		:: WEAK -> skip
		fi
	   :: else -> break
	   od
	od;
enq_out:
	skip
}

/* globalq_push of v */
inline push(v) {
	atomic { before[v] = enqdone }
	r = qtail;
	do
	:: r == 0 && linked ->
		/* compare_exchange_strong(&q->tail, &r, next); r = next */
		atomic { if :: qtail == 0 -> qtail = 1 :: else fi };
		r = 1
	:: else ->
		ring_enqueue();
		if :: ok -> break :: else fi
	od;
	atomic {
		enqdone = enqdone | (1 << v);
		if :: !((returned >> v) & 1) -> present++ :: else fi;
		r = 0; t = 0; s = 0; ec = 0; es = 0; ei = 0; cl = 0; ok = 0 }
}

/* ring_catchup(r, t, h + 1); t and hd are its tail and head */
inline catchup() {
	do
	:: atomic { tail[r] == t && !closed[r] -> tail[r] = hd }; break
	:: atomic { !(tail[r] == t && !closed[r]) -> t = tail[r]; cl = closed[r] }
	   if :: cl -> break :: else fi;
	   hd = head[r];
	   if :: t >= hd -> break :: else fi
	:: WEAK -> hd = head[r]; if :: t >= hd -> break :: else fi
	od
}

/* x = ring_dequeue(r, dr); a found id ends the pop at deq_take (below) */
inline ring_dequeue() {
	x = EMPTY;
	if
	:: !dr && threshold[r] < 0 -> goto deq_empty
	:: !dr && threshold[r] >= 0 ->
		/* ring_passed: h = load(head), then load(tail) (mutant 5: the other order) */
		if
		:: MUTANT != 5 -> h = head[r]; atomic { t = tail[r]; cl = closed[r] }
		:: MUTANT == 5 -> atomic { t = tail[r]; cl = closed[r] }; h = head[r]
		fi;
		if
		:: h >= t -> goto deq_empty
		:: true -> skip	/* scq.c tries the check only after a failed dequeue */
		fi
	:: dr -> skip
	fi;
	do
	:: atomic { h = head[r]; head[r]++ }
	   assert(head[r] < MAXPOS);
	   atomic { s = SL(r, h); ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
	   do
	   :: ec == LAP(h) ->
		/* ours: fetch_or(slot, BOT) */
		atomic { x = ei; sidx[s] = BOT };
		goto deq_take
	:: ec > LAP(h) -> break
	:: ec < LAP(h) && ei != BOT && !es -> break
	:: ec < LAP(h) && ei != BOT && es ->
		if
		:: atomic { scyc[s] == ec && ssafe[s] == es && sidx[s] == ei -> ssafe[s] = 0 }; break
		:: atomic { !(scyc[s] == ec && ssafe[s] == es && sidx[s] == ei) ->
			ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
		:: WEAK -> skip
		fi
	:: ec < LAP(h) && ei == BOT ->
		if
		:: tail[r] > h -> atomic { ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
		:: true ->
			if
			:: MUTANT == 2 -> break
			:: else
			fi;
			if
			:: atomic { scyc[s] == ec && ssafe[s] == es && sidx[s] == ei -> scyc[s] = LAP(h) }; break
			:: atomic { !(scyc[s] == ec && ssafe[s] == es && sidx[s] == ei) ->
				ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
			:: WEAK -> skip
			fi
		fi
	od;
	atomic { t = tail[r]; cl = closed[r] }
	if
	:: t <= h + 1 ->
		if :: dr -> goto deq_empty :: else fi;
		if
		:: !cl -> hd = h + 1; catchup()
		:: else
		fi;
		threshold[r]--;
		goto deq_empty
	:: else
	fi;
	if
	:: dr -> skip
	:: !dr -> if
		:: atomic { threshold[r] <= 0 -> threshold[r]-- }; goto deq_empty
		:: atomic { threshold[r] > 0 -> threshold[r]-- }
		fi
	fi
	od;
deq_empty:
	skip
}

/* x = globalq_pop(); ring_dequeue has one call site (its labels), so the loop runs it in
 * two modes: dr = 0 the ordinary dequeue, dr = 1 the drain of a closed ring */
inline pop() {
	deq_begin();
	r = qhead;
	dr = 0;
	do
	:: /* mutant 6: the successor is read before the ring's empty checks */
	   if :: MUTANT == 6 && !dr -> nx = (r == 0 && linked) :: else fi;
	   ring_dequeue();
	   if
	   :: !dr ->
		/* next = load(&r->next); if (next == NULL) return NULL */
		if :: MUTANT != 6 -> nx = (r == 0 && linked) :: else fi;
		if
		:: !nx -> goto deq_done
		:: else
		fi;
		/* ring_close: if (!(load(tail) & CLOSED)) fetch_or(tail, CLOSED) */
		if :: !closed[r] -> closed[r] = 1 :: else fi;
		dr = 1
	:: dr ->
		/* compare_exchange_strong(&q->head, &r, next); r = next */
		atomic { if :: qhead == 0 -> qhead = 1 :: else fi };
		r = 1;
		dr = 0
	fi
	od;
deq_take:
	atomic {
		if :: (enqdone >> x) & 1 -> present-- :: else fi;
		inprog--; indeq[_pid] = 0;
		assert(x < 8 && (placed >> x) & 1);
		assert(!((returned >> x) & 1));
		returned = returned | (1 << x);
		k = before[x] & ~returned;
		popcount(k, c);
		assert(c <= inprog)
	}
	goto deq_out;
deq_done:
	atomic {
		assert(x == EMPTY);
		assert(okempty[_pid]);	/* no spurious empty */
		inprog--; indeq[_pid] = 0
	}
deq_out:
	atomic { h = 0; t = 0; hd = 0; s = 0; ec = 0; es = 0; ei = 0; c = 0; k = 0; cl = 0; nx = 0; dr = 0; r = 0 }
}

#define LOCALS byte h, t, hd, s, ec, ei, c, k, x, v; bit es, cl, nx, dr, ok, r

proctype worker(byte p) {
	LOCALS;
	byte round = 0;
	do
	:: round < K ->
		if
		:: SCEN == 0 || p == 1 -> v = (SCEN == 0 -> (p - 1) * K + round : round); push(v)
		:: else
		fi;
		if
		:: SCEN == 0 || p != 1 -> pop()
		:: else
		fi;
		round++
	:: else -> break
	od;
	finished++
}

/* globalq_reserve: link ring 1 after ring 0 (compare_exchange on next: the only grower),
 * then compare_exchange_strong(&q->tail, &r, nr) */
proctype grower() {
	linked = 1;
	atomic { if :: qtail == 0 -> qtail = 1 :: else fi };
	finished++
}

init {
	LOCALS;
	byte i;
	atomic {
		i = 0;
		do
		:: i < 2 * NSLOT -> scyc[i] = 0; ssafe[i] = 1; sidx[i] = BOT; i++
		:: else -> break
		od;
		head[0] = NSLOT; tail[0] = NSLOT; threshold[0] = -1;
		head[1] = NSLOT; tail[1] = NSLOT; threshold[1] = -1;
		i = 1;
		do
		:: i <= NT -> run worker(i); i++
		:: else -> break
		od;
		if :: GROW -> run grower() :: else fi
	}
	finished == NT + GROW;
	/* single-threaded drain: returns the rest, never a spurious empty */
	do
	:: pop(); if :: x == EMPTY -> break :: else fi
	od;
	assert(present == 0);
	assert(returned == placed && placed == enqdone)
}
