/* The mailbox protocol of the `mpsc` mailbox (variants/mailbox/mpsc.c), for the SPIN model checker.
 *
 * Algorithm: Vyukov's intrusive multi-producer single-consumer queue with the "scheduled?"
 * state inside the queue, as Pony's actor message queue keeps it: an EMPTY bit in the head
 * pointer. head = the last node pushed, with EMPTY = parked (not scheduled); tail = the
 * consumer's stub node, whose next is the oldest message. Created scheduled: head = tail =
 * stub, EMPTY clear.
 *
 *   push:  node->next = 0; prev = exchange(head, node); [stall: MAILBOX_HOOK_PUSH_EXCHANGED]
 *          if (prev & EMPTY) schedule; (prev & ~EMPTY)->next = node
 *   pop:   n = tail->next; if n: take it, tail = n (old stub freed), MESSAGE
 *          if head != tail: BUSY; if CAS(head, tail, tail | EMPTY): PARKED
 *          n = tail->next; if n: take it, MESSAGE; else BUSY
 *   park_if_empty: tail->next == 0 && head == tail && CAS(head, tail, tail | EMPTY)
 *   mark_release:  loop { h = head; if !(h & EMPTY) { release = 1; return }
 *                  if CAS(head, h, h & ~EMPTY) { release = 1; schedule(RELEASE); return } }
 *   the holder, once its context is gone: if release, drop the rest and free the mailbox;
 *                  else requeue it (skynet_mq_release)
 *
 * Abstractions. Pointers are node ids from a pool that is never reused: sender s's k-th
 * message is node 1 + s*M + k, the first stub is node NN; 0 is NULL. EMPTY is the bit
 * headE, changed together with head in one atomic block. One statement or atomic block is
 * one atomic access of the C code (the exchange, a CAS, a load, a store), in its order;
 * the bookkeeping for the checks (ghost variables) rides inside those blocks. SPIN explores
 * interleavings, i.e. sequential consistency: weak memory is not modelled (the C11 orders
 * are argued in the code's section of docs/verification.md). The scheduler is reduced to
 * the token `sched` (1 = scheduled: queued or held); the one consumer runs only while it
 * is 1. A turn of the consumer is a dispatch holding the context reference: pops until
 * PARKED, or ends after a MESSAGE or a BUSY keeping the mailbox scheduled (requeued, or
 * kept for the next dispatch), optionally through park_if_empty (steal's requeue).
 *
 * Checked, exhaustively, as assertions and SPIN's invalid-end-state check:
 *  - no double schedule: schedule() while the token is held or queued fails;
 *  - never parked while a send is half done (exchanged, not linked), nor by a non-holder;
 *  - per-sender FIFO, no loss, no duplicate: each sender's messages arrive in its order,
 *    once each; no node is linked to or taken after it was freed;
 *  - no lost wake-up: in every terminal state (nothing can move: `timeout`) all senders
 *    finished, every message was received and the mailbox is parked with head == tail, or
 *    (REL) the consumer saw release after being scheduled and dropped the rest;
 *  - (REL) mark_release never touches the mailbox after its holder freed it.
 * STALL=1: sender 0 stops after its first exchange until every other sender finished and
 * the consumer either saw BUSY (the mailbox was scheduled) or waits parked (it was parked:
 * this sender will schedule it); then it resumes, and the checks above hold.
 * REL=1: mark_release runs after every send completed, under the runtime's guarantee that
 * it never overlaps a turn (the holder parks only while it holds a context reference, and
 * mark_release runs when the last reference goes): `ctxgone` is set between turns before
 * mark_release starts; a turn starts with the handle grab, which fails once ctxgone is
 * set, and the holder then requeues the mailbox until it sees release, drops what is left
 * and frees it (`gone`). REL=2 drops the guarantee: mark_release may run in the middle of
 * a turn. The protocol does not hold
 * there (the holder checked release, mark_release sees it scheduled and returns, the
 * holder parks: nobody will see release), which shows the guarantee is load-bearing.
 *
 * MUTANT (spin -DMUTANT=k; 0 = the real protocol):
 *  1 the sender learns "was parked" from a load of head before its exchange;
 *  2 the consumer parks with a plain store of tail | EMPTY instead of the CAS;
 *  3 the consumer parks with CAS(head, h, h | EMPTY) on the h it loaded, without h == tail;
 *  4 on the CAS's failure pop returns PARKED (gives the token back);
 *  5 mark_release clears EMPTY with a plain store after its load: harmless under the
 *    runtime's guarantee (with EMPTY set and no send in flight nobody else writes head),
 *    so REL=1 passes with it; kept to show that, not counted as a caught mutant;
 *  6 the consumer treats BUSY as PARKED (gives the token back, EMPTY not set);
 *  7 the sender learns "was parked" from a load of head after its exchange;
 *  8 the exchange is a load of head and a store (two senders may get the same prev);
 *  9 mark_release publishes release before it reads head (mpsc.c before the fix): the
 *    holder may free the mailbox between the two (REL=1 catches it).
 */

#ifndef S
#define S 2		/* senders */
#endif
#ifndef M
#define M 2		/* messages per sender */
#endif
#ifndef STALL
#define STALL 0
#endif
#ifndef REL
#define REL 0
#endif
#ifndef MUTANT
#define MUTANT 0
#endif

#define NN (S * M + 1)	/* nodes 1..S*M carry messages; NN is the first stub */
#define MSG 1
#define BUSY 2
#define PARKED 3

byte head = NN;
bit headE;		/* EMPTY, part of head */
byte tail = NN;		/* the consumer's */
byte nxt[NN + 1];

bit sched = 1;		/* the schedule token: created scheduled */
bit release;
bit ctxgone;		/* the context's last reference went: no turn starts any more */

/* bookkeeping for the checks (not part of the algorithm) */
bit freed[NN + 1];
byte expect[S];		/* the next seq expected from each sender */
byte finished;		/* senders done */
byte half;		/* sends exchanged, not linked */
bit stalled;		/* sender 0 is stopped after its exchange */
bit busyseen;		/* the consumer saw BUSY while everything else was done */
bit inturn;		/* the consumer is in a turn (holds the context reference) */
bit seen_release;
bit cdone;
bit gone;		/* the holder freed the mailbox */

inline schedule() {
	atomic { assert(sched == 0); sched = 1 }
}

/* a successful park: the CAS's bookkeeping, inside its atomic block */
inline parked() {
	assert(half == 0);	/* never while a send is half done */
	assert(sched == 1);	/* only the holder parks */
	sched = 0
}

inline take(n) {
	assert(n >= 1 && n < NN && !freed[n]);
	assert(expect[(n - 1) / M] == (n - 1) % M);	/* FIFO per sender, no loss, no duplicate */
	expect[(n - 1) / M]++;
	freed[tail] = 1;	/* the old stub */
	tail = n
}

inline pop(r) {
	n = nxt[tail];
	if
	:: n != 0 -> take(n); r = MSG
	:: else ->
#if MUTANT == 3
		atomic { h = head; hE = headE };
		atomic { if :: head == h && headE == hE -> headE = 1; ok = 1; parked() :: else -> ok = 0 fi };
#else
		atomic { h = head; hE = headE };
		if
		:: h != tail || hE -> ok = 2	/* BUSY */
		:: else ->
#if MUTANT == 2
			atomic { head = tail; headE = 1; ok = 1; parked() }
#else
			atomic { if :: head == tail && !headE -> headE = 1; ok = 1; parked() :: else -> ok = 0 fi }
#endif
		fi;
#endif
		if
		:: ok == 2 -> r = BUSY
		:: ok == 1 -> r = PARKED
		:: ok == 0 ->
#if MUTANT == 4
			r = PARKED; sched = 0
#else
			n = nxt[tail];
			if
			:: n != 0 -> take(n); r = MSG
			:: else -> r = BUSY
			fi
#endif
		fi
	fi;
	d_step { n = 0; h = 0; hE = 0; ok = 0 }	/* dead: fewer states */
}

/* 1 parked, 0 not */
inline park_if_empty(r) {
	if
	:: nxt[tail] != 0 -> r = 0
	:: else ->
		atomic { h = head; hE = headE };
		if
		:: h != tail || hE -> r = 0
		:: else ->
			atomic {
				if
				:: head == tail && !headE ->
					headE = 1; r = 1; parked()	/* reached: park_if_empty parks */
				:: else -> r = 0
				fi
			}
		fi
	fi;
	d_step { h = 0; hE = 0 }
}

proctype sender(byte s) {
	byte k, node, prev;
	bit was;
	do
	:: k < M ->
		node = 1 + s * M + k;
		nxt[node] = 0;
#if MUTANT == 1
		was = headE;
		atomic { prev = head; head = node; headE = 0; half++ };
#elif MUTANT == 8
		atomic { prev = head; was = headE };
		atomic { head = node; headE = 0; half++ };
#else
		atomic { prev = head; was = headE; head = node; headE = 0; half++ };
#endif
#if STALL
		if
		:: s == 0 && k == 0 ->
			stalled = 1;
			if
			:: (finished == S - 1 && busyseen) -> skip	/* reached: stalled, resumes after BUSY */
			:: (finished == S - 1 && sched == 0) -> skip	/* reached: stalled, resumes, it will schedule */
			fi;
			stalled = 0
		:: else -> skip
		fi;
#endif
#if MUTANT == 7
		was = headE;
#endif
		/* schedule, then link: as mpsc.c, so a message anyone can see is in a scheduled
		 * mailbox (a consumer that comes in between finds BUSY) */
		if
		:: was -> schedule()
		:: else -> skip
		fi;
		was = 0;
		atomic { assert(!freed[prev]); nxt[prev] = node; half--; prev = 0 };
		k++
	:: else -> break
	od;
	finished++
}

proctype consumer() {
	byte n, h, r, ok;
	bit hE, stop;
	do
	:: true ->
end_wait:	(sched == 1);
		/* a turn: the handle grab, then pops */
#if REL == 1
		atomic { if :: ctxgone -> ok = 0 :: else -> inturn = 1; ok = 1 fi };
#elif REL == 2
		ok = !ctxgone;
#else
		ok = 1;
#endif
		if
		:: !ok && !release -> goto requeue	/* reached: context gone, release not yet seen */
		:: !ok && release ->	/* drop what is left, free the mailbox, stop */
			seen_release = 1;	/* reached: release seen */
			do
			:: pop(r);
				if
				:: r == PARKED -> break
				:: else -> skip
				fi
			od;
			gone = 1;
			cdone = 1;
			break
		:: else -> skip
		fi;
		do
		:: pop(r);
			if
			:: r == PARKED -> break
			:: r == BUSY ->
#if MUTANT == 6
				sched = 0; break;
#endif
				if
				:: STALL && stalled && finished == S - 1 ->
					busyseen = 1	/* reached: BUSY while stalled */
				:: else -> skip
				fi;
				stop = 1	/* BUSY: the turn ends, the mailbox stays scheduled */
			:: r == MSG ->
				if
				:: stop = 0	/* go on */
				:: stop = 1	/* the turn ends, the mailbox stays scheduled */
				fi
			fi;
			if
			:: stop ->	/* requeued (or kept for the next dispatch) ... */
				if
				:: true -> park_if_empty(r)	/* ... or parked if empty (steal's requeue) */
				:: true -> skip
				fi;
				break
			:: else -> skip
			fi
		od;
requeue:	atomic { inturn = 0; r = 0; stop = 0 }
	od
}

proctype releaser() {
	byte h;
	bit hE, ok;
	(finished == S);
#if REL == 1
	atomic { !inturn -> ctxgone = 1 };
#else
	ctxgone = 1;
#endif
#if MUTANT == 9
	release = 1;
#endif
	do
	:: atomic { assert(!gone); h = head; hE = headE };
		if
		:: !hE ->
			atomic { assert(!gone); release = 1 };
			break	/* reached: release finds it scheduled (its holder will see release) */
		:: else ->
#if MUTANT == 5
			atomic { assert(!gone); head = h; headE = 0 }; ok = 1;
#else
			atomic { assert(!gone); if :: head == h && headE -> headE = 0; ok = 1 :: else -> ok = 0 fi };
#endif
			if
			:: ok ->
				atomic { assert(!gone); release = 1 };
				schedule(); break	/* reached: release schedules it */
			:: else -> skip
			fi
		fi
	od
}

init {
	byte i;
	atomic {
		run consumer();
		i = 0;
		do
		:: i < S -> run sender(i); i++
		:: else -> break
		od;
#if REL
		run releaser();
#endif
	};
	timeout;	/* a terminal state: nothing else can move */
	assert(finished == S);
	i = 0;
	do
	:: i < S -> assert(expect[i] == M); i++
	:: else -> break
	od;
	assert(half == 0);
#if REL
	assert(seen_release && cdone);
#else
	assert(sched == 0 && headE && head == tail)
#endif
}
