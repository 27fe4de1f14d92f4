/* PRQ ring protocol of variants/globalq/lprq.c, for the SPIN model checker.
 *
 * Algorithm: R. Romanov and N. Koval, "The State-of-the-Art LCRQ Concurrent Queue
 * Algorithm Does NOT Require CAS2", PPoPP 2023 (the PRQ ring), as written in lprq.c's
 * prq_enqueue, prq_dequeue, prq_visit and prq_catchup on one open ring. One statement (or
 * atomic block) below is one atomic access of the C code, in the C code's order: lprq.c
 * makes every ring access seq_cst, and SPIN's interleavings are sequentially consistent,
 * so every interleaving explored is a behaviour the C11 program may show (for the accesses
 * modelled; docs/verification.md, section 17, lists what is abstracted away).
 *
 * A slot is two words: idx = (position p, unsafe bit), val = EMPTY, a thread's marker or a
 * value. Checked, exhaustively over all interleavings of NT threads, with the same
 * bookkeeping and assertions as verify/scq.pml: no element lost or duplicated (and a final
 * single-threaded drain returns the rest), no spurious empty, FIFO in real time (counting
 * relaxations of linearizability), and the counters stay below the model's bound.
 *
 * Parameters (spin -D...): NSLOT ring size (2), NT threads (2 or 3), SCEN scenario (0:
 * pairs, 1: one producer, the others consume), K rounds, STARVE (failed tries before an
 * enqueuer closes the ring; the close is modelled, the new ring is not), MUTANT (0 = the real code;
 * 1 = the enqueuer ignores the unsafe bit; 2 = a dequeuer passing an older lap's value
 * does not mark the slot unsafe; 3 = a dequeuer does not re-read idx after val (no
 * consistent snapshot of the two words); 4 = a dequeuer does not skip a slot a later lap
 * owns (it moves its idx back); 5 = every thread uses the same marker).
 */

#ifndef NSLOT
#define NSLOT 2
#endif
#ifndef NT
#define NT 2
#endif
#ifndef SCEN
#define SCEN 0
#endif
#ifndef MUTANT
#define MUTANT 0
#endif
#define EMPTYV 0		/* val: empty */
#define ISVAL(x) ((x) >= 1 && (x) <= 15)	/* val: value x - 1 */
#define MARK(p) (MUTANT == 5 -> 16 : 16 + (p))	/* val: thread p's marker */
#define DQEMPTY 254		/* prq_dequeue's EMPTY */
#define MAXPOS 100		/* a bound on head/tail, asserted */

#ifndef STARVE
#define STARVE 2		/* LPRQ_STARVE (32 in lprq.c) */
#endif

byte head = 0;
byte tail = 0;
bit closed;		/* tail's CLOSED bit */
byte sidx[NSLOT];	/* idx's position */
bit sunsafe[NSLOT];	/* idx's unsafe bit */
byte sval[NSLOT];

/* bookkeeping for the checks (not part of the algorithm), as in scq.pml */
byte present;		/* elements whose enqueue completed, not yet taken */
byte inprog;		/* dequeues in progress */
bit indeq[NT + 1];
bit okempty[NT + 1];	/* the empty witness held at some instant of the dequeue */
int enqdone;		/* bit v: the enqueue of v completed */
int returned;		/* bit v: v was returned */
int placed;		/* bit v: the last CAS of the enqueue of v happened */
int diverted;		/* bit v: the enqueue of v found the ring closed (went to a new ring) */
int before[8];		/* before[v]: enqdone when the enqueue of v began */
byte finished;

#define SLOT(p) ((p) % NSLOT)

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
		:: k <= NT -> if :: indeq[k] && present + 1 <= inprog -> okempty[k] = 1 :: else fi; k++
		:: else -> break
		od
	}
}

/* prq_enqueue; an enqueue that finds the ring closed, or closes it (full, or STARVE failed
 * tries), returns without placing v (lprq.c then appends a new ring holding v: not modelled) */
inline enq(v) {
	atomic { before[v] = enqdone }
	tries = 0;
	do
	:: atomic { t = tail; tc = closed; tail++ }	/* fetch_add(&tail, 1) */
	   assert(tail < MAXPOS);
	   if
	   :: tc -> goto enq_closed
	   :: else
	   fi;
	   s = SLOT(t);
	   atomic { ci = sidx[s]; cu = sunsafe[s] }	/* load(idx) */
	   cv = sval[s];				/* load(val) */
	   if
	   :: cv == EMPTYV && ci <= t ->
		if
		:: cu && MUTANT != 1 -> if :: head <= t -> skip :: else -> goto enq_retry fi
		:: else
		fi;
		if
		:: atomic { sval[s] == EMPTYV -> sval[s] = MARK(_pid) }	/* CAS val: empty -> marker */
			if
			:: atomic { sidx[s] == ci && sunsafe[s] == cu -> sidx[s] = t + NSLOT; sunsafe[s] = 0 }
				if
				:: atomic { sval[s] == MARK(_pid) -> sval[s] = v + 1; placed = placed | (1 << v) };
					goto enq_done
				:: atomic { sval[s] != MARK(_pid) -> skip }	/* taken back */
				fi
			:: atomic { !(sidx[s] == ci && sunsafe[s] == cu) -> skip }
				/* undo: CAS val marker -> empty */
				atomic { if :: sval[s] == MARK(_pid) -> sval[s] = EMPTYV :: else fi }
			fi
		:: atomic { sval[s] != EMPTYV -> skip }
		fi
	   :: else
	   fi;
enq_retry:
	   hd = head;
	   if
	   :: t >= hd + NSLOT || tries >= STARVE -> closed = 1; goto enq_closed	/* ring_close */
	   :: else -> tries++
	   fi
	od;
enq_done:
	atomic {
		enqdone = enqdone | (1 << v);
		if :: !((returned >> v) & 1) -> present++ :: else fi;
		t = 0; s = 0; ci = 0; cu = 0; cv = 0; hd = 0; tries = 0 }
	goto enq_out;
enq_closed:
	atomic { diverted = diverted | (1 << v); t = 0; s = 0; ci = 0; cu = 0; cv = 0; hd = 0; tries = 0; tc = 0 }
enq_out:
	skip
}

/* prq_catchup(r, t, h + 1); t and hd are its tail and head */
inline catchup() {
	do
	:: atomic { tail == t && !closed -> tail = hd }; break
	:: atomic { tail != t || closed -> t = tail; tc = closed }
	   if :: tc -> break :: else fi;
	   hd = head;
	   if :: t >= hd -> break :: else fi
	od
}

/* r = prq_dequeue(ring) */
inline deq(r) {
	deq_begin();
	hd = head;
	t = tail;
	if
	:: hd >= t -> r = DQEMPTY; goto deq_done
	:: else
	fi;
	do
	:: atomic { h = head; head++ }
	   assert(head < MAXPOS);
	   s = SLOT(h);
	   /* prq_visit */
	   do
	   :: atomic { ci = sidx[s]; cu = sunsafe[s] }
	      cv = sval[s];
	      if
	      :: MUTANT != 3 && !(sidx[s] == ci && sunsafe[s] == cu) -> goto visit_again	/* load(idx) again */
	      :: else
	      fi;
	      if
	      :: MUTANT != 4 && ci > h + NSLOT -> break		/* a later lap owns it */
	      :: ISVAL(cv) && ci == h + NSLOT ->
		/* ours: store(val, EMPTY) */
		atomic {
			sval[s] = EMPTYV;
			r = cv - 1;
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
	      :: ISVAL(cv) && ci != h + NSLOT && (MUTANT == 4 || ci < h + NSLOT) ->
		/* an older lap's value: mark unsafe */
		if
		:: cu || MUTANT == 2 -> break
		:: else ->
			if
			:: atomic { sidx[s] == ci && sunsafe[s] == cu -> sunsafe[s] = 1 }; break
			:: atomic { !(sidx[s] == ci && sunsafe[s] == cu) -> skip }
			fi
		fi
	      :: !ISVAL(cv) && ci == h + NSLOT ->
		if
		:: cv == EMPTYV -> break
		:: else ->
			if
			:: true	/* wait for our enqueuer (LPRQ_SPIN loads: a free choice) */
			:: atomic { sval[s] == cv -> sval[s] = EMPTYV }; break
			:: atomic { sval[s] != cv -> skip }
			fi
		fi
	      :: !ISVAL(cv) && ci != h + NSLOT && (MUTANT == 4 || ci < h + NSLOT) ->
		/* p <= h: empty or a marker */
		if
		:: !cu && tail > h -> skip	/* wait: a free choice while the condition holds */
		:: true ->
			if
			:: cv != EMPTYV ->
				if
				:: atomic { sval[s] == cv -> sval[s] = EMPTYV }
				:: atomic { sval[s] != cv -> skip }; goto visit_again
				fi
			:: else
			fi;
			if
			:: atomic { sidx[s] == ci && sunsafe[s] == cu -> sidx[s] = h + NSLOT }; break
			:: atomic { !(sidx[s] == ci && sunsafe[s] == cu) -> skip }
			fi
		fi
	      fi;
visit_again:
	      skip
	   od;
	   atomic { t = tail; tc = closed }
	   if
	   :: t <= h + 1 ->
		if
		:: !tc && t < h + 1 -> hd = h + 1; catchup()
		:: else
		fi;
		r = DQEMPTY; goto deq_done
	   :: else
	   fi
	od;
deq_done:
	atomic {
		assert(r == DQEMPTY);
		assert(okempty[_pid]);	/* no spurious empty */
		inprog--; indeq[_pid] = 0
	}
deq_out:
	atomic { h = 0; t = 0; hd = 0; s = 0; ci = 0; cu = 0; cv = 0; c = 0; k = 0; tc = 0 }
}

#ifndef K
#define K 2
#endif

proctype worker(byte p) {
	byte h, t, hd, s, ci, cv, c, k, r, round, v, tries;
	bit cu, tc;
	round = 0;
	do
	:: round < K ->
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
	byte h, t, hd, s, ci, cv, c, k, r, i;
	bit cu, tc;
	atomic {
		i = 0;
		do
		:: i < NSLOT -> sidx[i] = i; sunsafe[i] = 0; sval[i] = EMPTYV; i++
		:: else -> break
		od;
		i = 1;
		do
		:: i <= NT -> run worker(i); i++
		:: else -> break
		od
	}
	finished == NT;
	do
	:: deq(r); if :: r == DQEMPTY -> break :: else fi
	od;
	assert(present == 0);
	assert(returned == placed && placed == enqdone && (placed & diverted) == 0)
}
