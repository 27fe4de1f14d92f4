/* The run queue protocol of variants/sched/runq.h, for the SPIN model checker.
 *
 * Algorithm: Go's per-P run queue (golang/go src/runtime/proc.go: runqput, runqputslow,
 * runqget, runqgrab, runqsteal), as written in runq.h: runq_push, runq_overflow, runq_pop,
 * runq_put_next, runq_take_next, runq_steal. One statement (or atomic block) below is one
 * atomic access of the C code, in the C code's order; a block of several accesses is used
 * only where no other thread can touch what it reads (the owner reading its own slots) or
 * for one RMW (a CAS, an exchange). SPIN explores interleavings, i.e. sequential
 * consistency: the model checks the protocol, not the acquire/release orders (those are
 * argued in docs/verification.md and exercised by TSan and the tests).
 *
 * One owner runs NOPS operations chosen nondeterministically among push (with overflow
 * when the ring is full), put_next (the displaced mailbox pushed), pop and take_next,
 * each id pushed once; NTHIEF thieves (1 or 2) each try NSTEAL steals (the first steals
 * half, the second one), copy what they took into their own ring, publish it, and pop it.
 * The ring has RS = 4 cells, so the owner wraps it and overflows half of it.
 *
 * Checked, exhaustively: no duplicate (a mailbox is taken once: by pop, take_next, a
 * steal, an overflow batch, or the final drain of what is left in the ring and the next
 * slot); no loss (after every thread finished, each pushed id was taken exactly once);
 * no invalid end state (nobody waits for anybody). With STALL=1 the first thief stops
 * forever between its copy and its CAS (runq.h's RUNQ_HOOK_STEAL_COPIED): the owner and
 * the other thief must still finish, and nothing is lost or taken twice.
 *
 * MUTANT (spin -DMUTANT=k; 0 = the real protocol): 1 the thief commits with a blind
 * head += n instead of a CAS from the head it copied at; 2 the owner publishes tail before
 * it writes the slot; 3 the thief publishes n copied slots in its own ring instead of n - 1
 * (the last one it returns); 4 take_next empties the next slot with a load and a store
 * instead of an exchange; 5 overflow moves head with a store instead of a CAS; 6 put_next
 * replaces a non-empty slot with a load and a store instead of an exchange.
 */

#define RS 4
#ifndef NTHIEF
#define NTHIEF 1
#endif
#ifndef NIDS
#define NIDS 5
#endif
#ifndef NOPS
#define NOPS 6
#endif
#ifndef NSTEAL
#define NSTEAL 2
#endif
#ifndef STALL
#define STALL 0
#endif
#ifndef MUTANT
#define MUTANT 0
#endif

byte head;
byte tail;
byte ring[RS];
byte next;		/* 0: empty; ids are 1..NIDS */

/* bookkeeping for the checks (not part of the algorithm) */
byte taken[NIDS + 1];
byte pushed;
byte finished;

inline take(v) {
	assert(v >= 1 && v <= NIDS);
	assert(taken[v] == 0);
	taken[v] = 1
}

/* runq_push, then runq_overflow when full (the batch goes to the injection queue: taken) */
inline push(v) {
	do
	:: true ->
		h = head;
		t = tail;
		if
		:: (t - h) < RS ->
#if MUTANT == 2
			tail = t + 1;
			ring[t % RS] = v;
#else
			ring[t % RS] = v;
			tail = t + 1;
#endif
			break
		:: else ->
			/* our own slots: nobody else writes them */
			d_step { batch0 = ring[h % RS]; batch1 = ring[(h + 1) % RS] }
#if MUTANT == 5
			head = h + RS / 2; ok = 1;
#else
			atomic { if :: head == h -> head = h + RS / 2; ok = 1 :: else -> ok = 0 fi }
#endif
			if
			:: ok -> take(batch0); take(batch1); take(v); break
			:: else -> skip
			fi
		fi
	od
}

proctype owner() {
	byte op, h, t, v, ok, batch0, batch1;
	assert(RS / 2 == 2);	/* the overflow batch above is two wide */
	do
	:: op < NOPS ->
		op++;
		if
		:: pushed < NIDS ->	/* push */
			pushed++; v = pushed;
			push(v)
		:: pushed < NIDS ->	/* put_next; the displaced one at the tail */
			pushed++; v = pushed;
			t = next;
			if
#if MUTANT == 6
			:: true -> next = v
#else
			:: t == 0 -> next = v	/* a store: only the owner makes the slot non-empty */
			:: else -> atomic { t = next; next = v }
#endif
			fi;
			if
			:: t != 0 -> v = t; push(v)
			:: else -> skip
			fi
		:: true ->		/* pop */
			h = head;
			do
			:: true ->
				t = tail;
				if
				:: t == h -> break
				:: else ->
					v = ring[h % RS];
					atomic { if :: head == h -> head = h + 1; ok = 1 :: else -> h = head; ok = 0 fi };
					if
					:: ok -> take(v); break
					:: else -> skip
					fi
				fi
			od
		:: true ->		/* take_next */
			v = next;
			if
			:: v != 0 ->
#if MUTANT == 4
				next = 0;
#else
				atomic { v = next; next = 0 };
#endif
				if
				:: v != 0 -> take(v)
				:: else -> skip
				fi
			:: else -> skip
			fi
		fi
	:: else -> break
	od;
	finished++
}

proctype thief(bit half; bit stall) {
	byte tries, h, t, n, i, v, size, ok;
	byte cp[RS / 2];
	byte mine[RS];		/* its own ring: nobody steals from it here, so it pops it */
	byte mt, mh;
	do
	:: tries < NSTEAL ->
		tries++;
		do
		:: true ->
			h = head;
			t = tail;
			size = t - h;
			if
			:: size == 0 ->
				v = next;
				if
				:: v == 0 -> n = 0; break
				:: else ->
					atomic { if :: next == v -> next = 0; ok = 1 :: else -> ok = 0 fi };
					if
					:: ok -> take(v); n = 0; break
					:: else -> skip
					fi
				fi
			:: size > RS -> skip
			:: else ->
				if
				:: half -> n = size - size / 2
				:: else -> n = 1
				fi;
				i = 0;
				do
				:: i < n -> cp[i] = ring[(h + i) % RS]; i++
				:: else -> break
				od;
				if
				:: stall -> finished++;
end_stalled:			false
				:: else -> skip
				fi;
#if MUTANT == 1
				atomic { head = head + n; ok = 1 };
#else
				atomic { if :: head == h -> head = h + n; ok = 1 :: else -> ok = 0 fi };
#endif
				if
				:: ok -> break
				:: else -> skip
				fi
			fi
		od;
		if
		:: n > 0 ->
			/* n - 1 into its own ring beyond its tail, published; the last one run now */
			i = 0;
			do
			:: i + 1 < n -> mine[(mt + i) % RS] = cp[i]; i++
			:: else -> break
			od;
#if MUTANT == 3
			mt = mt + n;
#else
			mt = mt + n - 1;
#endif
			take(cp[n - 1]);
			do
			:: mh != mt -> take(mine[mh % RS]); mh++
			:: else -> break
			od
		:: else -> skip
		fi
	:: else -> break
	od;
	finished++
}

init {
	byte h, t;
	atomic {
		run owner();
		run thief(1, STALL);
#if NTHIEF == 2
		run thief(0, 0);
#endif
	};
	(finished == NTHIEF + 1);
	/* what is left: the ring from head to tail, and the next slot */
	h = head;
	t = tail;
	do
	:: h != t -> take(ring[h % RS]); h++
	:: else -> break
	od;
	if
	:: next != 0 -> take(next)
	:: else -> skip
	fi;
	h = 1;
	do
	:: h <= pushed -> assert(taken[h] == 1); h++
	:: else -> break
	od
}
