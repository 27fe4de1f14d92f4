/* SCQ ring protocol of variants/globalq/mpmc.c, for the SPIN model checker.
 *
 * Algorithm: R. Nikolaev, "A Scalable, Portable, and Memory-Efficient Lock-Free FIFO
 * Queue", DISC 2019 (Figure 8, SCQ enqueue/dequeue/catchup), as written in mpmc.c's
 * scq_enqueue, scq_dequeue(drain = 0) and scq_catchup. One statement (or atomic block)
 * below is one atomic access of the C code, in the C code's order: mpmc.c makes every
 * access seq_cst, and SPIN's interleaving semantics is exactly sequential consistency, so
 * every interleaving SPIN explores is a behaviour the C11 program may show and vice versa
 * (for the accesses modelled; see docs/verification.md for what is abstracted away).
 *
 * What is checked, exhaustively over all interleavings of NT threads:
 *  - no element lost or duplicated: every value returned was enqueued and is returned
 *    once; after all threads finish, a single-threaded drain returns the rest, and the
 *    union is exactly what was enqueued;
 *  - no spurious empty: a dequeue returns empty only if at some instant during it the
 *    elements present (enqueue CAS done, not yet taken) were no more than the other
 *    dequeues then in progress (which may be linearized first and take them);
 *  - FIFO in real time: when a dequeue returns b, every a whose enqueue completed before
 *    b's enqueue began was already returned or can still be returned by a dequeue in
 *    progress (again a count: no more such a than other dequeues in progress);
 *  - the counters stay below the model's bound (no unbounded retry loop).
 * The empty and FIFO checks are counting relaxations of linearizability: they never
 * reject a linearizable history, and they reject any history where an element sits in
 * the queue, unclaimed, while a dequeue reports empty or overtakes it.
 *
 * Parameters (spin -D...): N capacity (2: 4 slots), NT threads (2 or 3), SCEN scenario,
 * MUTANT (0 = the real code; 1 = enqueue skips the threshold reset; 2 = dequeue does not
 * move an empty slot to its lap, so a late enqueuer still fills it; 3 = enqueue ignores
 * the safe bit; 4 = enqueue skips the cycle check), WEAK (1: compare_exchange_weak may
 * fail spuriously).
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
#ifndef MUTANT
#define MUTANT 0
#endif
#ifndef WEAK
#define WEAK 0
#endif
#define BOT 255			/* the empty index (all ones in mpmc.c) */
#define THRMAX (3 * N - 1)	/* threshold_max: 3n - 1 */
#define EMPTY 254		/* scq_dequeue's SCQ_EMPTY */
#define MAXPOS 120		/* a bound on head/tail, asserted */

/* the ring: slot word = (cycle, safe, index); positions start at lap 1 (scq_new) */
byte head = NSLOT;
byte tail = NSLOT;
short threshold = -1;
byte scyc[NSLOT];
bit ssafe[NSLOT];
byte sidx[NSLOT];

/* bookkeeping for the checks (not part of the algorithm) */
byte present;		/* elements whose enqueue completed, not yet taken */
byte inprog;		/* dequeues in progress */
bit indeq[NT + 1];	/* thread p is in a dequeue */
bit okempty[NT + 1];	/* ... and the empty witness held at some instant of it */
int enqdone;		/* bit v: the enqueue of v completed */
int returned;		/* bit v: v was returned by a dequeue */
int placed;		/* bit v: the enqueue CAS of v happened */
int before[8];		/* before[v]: enqdone when the enqueue of v began */
byte finished;

#define LAP(p) ((p) / NSLOT)
#define SLOT(p) ((p) % NSLOT)

/* c = number of bits set in the byte x (x is overwritten) */
inline popcount(x, c) {
	c = 0;
	do
	:: x != 0 -> c = c + (x & 1); x = x >> 1
	:: else -> break
	od
}

/* a dequeue starts: the empty witness can only become true when inprog grows */
inline deq_begin() {
	atomic {
		inprog++; indeq[_pid] = 1; okempty[_pid] = 0;
		k = 0;
		do
		:: k <= NT -> if :: indeq[k] && present + 1 <= inprog -> okempty[k] = 1 :: else fi; k++
		:: else -> break
		od
	}
}

inline enq(v) {
	atomic { before[v] = enqdone }
	do
	:: /* t = fetch_add(&tail, 1) */
	   atomic { t = tail; tail++ }
	   assert(tail < MAXPOS);
	   /* e = load(slot) */
	   atomic { s = SLOT(t); ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
	   do
	   :: (MUTANT == 4 || ec < LAP(t)) && ei == BOT ->
		if
		:: es || MUTANT == 3 -> skip
		:: else -> if :: head <= t -> skip :: else -> break fi	/* load(head) */
		fi;
		/* compare_exchange_weak(slot, &e, (lap(t), 1, v)) */
		if
		:: atomic { scyc[s] == ec && ssafe[s] == es && sidx[s] == ei ->
			scyc[s] = LAP(t); ssafe[s] = 1; sidx[s] = v;
			placed = placed | (1 << v) };
			/* if (load(threshold) != max) store(threshold, max) */
			if
			:: MUTANT == 1 -> skip
			:: else -> if :: threshold != THRMAX -> threshold = THRMAX :: else fi
			fi;
			goto enq_done
		:: atomic { !(scyc[s] == ec && ssafe[s] == es && sidx[s] == ei) ->
			ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
		:: WEAK -> skip	/* spurious failure: e reloaded, unchanged */
		fi
	   :: else -> break
	   od
	od;
enq_done:
	atomic {
		enqdone = enqdone | (1 << v);
		if :: !((returned >> v) & 1) -> present++ :: else fi;
		t = 0; s = 0; ec = 0; es = 0; ei = 0 }
}

/* scq_catchup(q, t, h + 1); t and hd are its tail and head */
inline catchup() {
	do
	:: atomic { tail == t -> tail = hd }; break
	:: atomic { tail != t -> t = tail }
	   hd = head;
	   if :: t >= hd -> break :: else fi
	:: WEAK -> hd = head; if :: t >= hd -> break :: else fi
	od
}

/* r = scq_dequeue(q, 0) */
inline deq(r) {
	deq_begin();
	if
	:: threshold < 0 -> r = EMPTY; goto deq_done
	:: else
	fi;
	do
	:: /* h = fetch_add(&head, 1) */
	   atomic { h = head; head++ }
	   assert(head < MAXPOS);
	   atomic { s = SLOT(h); ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
	   do
	   :: ec == LAP(h) ->
		/* ours: fetch_or(slot, BOT) keeps lap and safe bit */
		atomic {
			r = ei; sidx[s] = BOT;
			if :: (enqdone >> r) & 1 -> present-- :: else fi;
			inprog--; indeq[_pid] = 0;
			assert(r < 8 && (placed >> r) & 1);
			assert(!((returned >> r) & 1));
			returned = returned | (1 << r);
			k = before[r] & ~returned;
			popcount(k, c);
			assert(c <= inprog)
		}
		goto deq_out
	:: ec > LAP(h) -> break
	:: ec < LAP(h) && ei != BOT && !es -> break	/* n == e: already unsafe */
	:: ec < LAP(h) && ei != BOT && es ->
		/* an older lap's element: compare_exchange_weak(slot, &e, e & ~safe) */
		if
		:: atomic { scyc[s] == ec && ssafe[s] == es && sidx[s] == ei -> ssafe[s] = 0 }; break
		:: atomic { !(scyc[s] == ec && ssafe[s] == es && sidx[s] == ei) ->
			ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
		:: WEAK -> skip
		fi
	:: ec < LAP(h) && ei == BOT ->
		/* empty: an enqueuer may hold position h; wait (any number of loads up to
		 * SCQ_SPIN, modelled as a free choice) or invalidate */
		if
		:: tail > h -> atomic { ec = scyc[s]; es = ssafe[s]; ei = sidx[s] }
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
	/* t = load(tail) */
	t = tail;
	if
	:: t <= h + 1 ->
		hd = h + 1;
		catchup();
		threshold--;
		r = EMPTY; goto deq_done
	:: else
	fi;
	/* fetch_sub(&threshold, 1) <= 0 */
	if
	:: atomic { threshold <= 0 -> threshold-- }; r = EMPTY; goto deq_done
	:: atomic { threshold > 0 -> threshold-- }
	fi
	od;
deq_done:
	atomic {
		assert(r == EMPTY);
		assert(okempty[_pid]);	/* no spurious empty */
		inprog--; indeq[_pid] = 0
	}
deq_out:
	atomic { h = 0; t = 0; hd = 0; s = 0; ec = 0; es = 0; ei = 0; c = 0; k = 0 }
}

/* SCEN 0: pairs (each thread: enqueue, dequeue, K rounds); values p*K + round.
 * SCEN 1: thread 1 enqueues K values, the others only dequeue K times each. */
#ifndef K
#define K 2
#endif

proctype worker(byte p) {
	byte h, t, hd, s, ec, ei, c, k, r, round, v;
	bit es;
	round = 0;
	do
	:: round < K ->
		/* one call site each: an inline's labels may appear once per proctype */
		if
		:: SCEN == 0 || p == 1 -> v = (SCEN == 0 -> (p - 1) * K + round : round); enq(v)
		:: else
		fi;
		if
		:: SCEN == 0 || p != 1 -> deq(r)
		:: else
		fi;
		round++
	:: else -> break
	od;
	finished++
}

init {
	byte h, t, hd, s, ec, ei, c, k, r, i;
	bit es;
	atomic {
		i = 0;
		do
		:: i < NSLOT -> scyc[i] = 0; ssafe[i] = 1; sidx[i] = BOT; i++
		:: else -> break
		od;
		i = 1;
		do
		:: i <= NT -> run worker(i); i++
		:: else -> break
		od
	}
	finished == NT;
	/* single-threaded drain: returns the rest, never a spurious empty */
	do
	:: deq(r); if :: r == EMPTY -> break :: else fi
	od;
	assert(present == 0);
	assert(returned == placed && placed == enqdone)
}
