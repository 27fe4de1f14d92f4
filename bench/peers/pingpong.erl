%% pingpong.erl: the whole-runtime ping-pong of services/pingpong.c written for Erlang's
%% runtime (BEAM), a peer measured beside the skybench variants by scripts/pingpong.sh.
%% Compiled by erlc (make peers) and run as
%%   erl +S W:W -noshell -pa build/peers -run pingpong main PAIRS MESSAGES
%% with W schedulers (the worker count). PAIRS pairs of processes send each other
%% payload-less messages, one in flight per pair, MESSAGES in all, counted as the C service
%% counts them: each pair makes MESSAGES/PAIRS/2 round trips, two messages each. The time
%% runs from the first send to the last pair's completion; the line is
%%   RESULT pingpong pairs=16 messages=10000000 seconds=1.234567 msgs_per_sec=8100000
%% The check (docs/method.md rule 9): ping and pong each count what they received; the sum
%% must be the expected count, else the line says FAILED and the exit status is 1.
-module(pingpong).
-export([main/1]).

main([P, N]) ->
	case catch {list_to_integer(P), list_to_integer(N)} of
		{Pairs, Messages} when is_integer(Pairs), Pairs > 0, Messages >= 2 * Pairs ->
			run(Pairs, Messages);
		_ -> usage()
	end;
main(_) ->
	usage().

usage() ->
	io:format(standard_error, "pingpong.erl: usage: erl +S W:W -noshell -pa DIR -run pingpong main PAIRS MESSAGES (MESSAGES >= 2*PAIRS)~n", []),
	erlang:halt(2).

run(Pairs, Messages) ->
	Trips = Messages div Pairs div 2,
	Want = Trips * 2 * Pairs,
	Self = self(),
	Pings = [spawn_link(fun() -> ping(Self, spawn_link(fun() -> pong(0) end), Trips) end)
		 || _ <- lists:seq(1, Pairs)],
	T0 = erlang:monotonic_time(nanosecond),
	[Ping ! start || Ping <- Pings],
	Counted = collect(Pairs, 0),
	S = (erlang:monotonic_time(nanosecond) - T0) / 1.0e9,
	Failed = case Counted of Want -> ""; _ -> " FAILED(count mismatch)" end,
	io:format("RESULT pingpong pairs=~b messages=~b seconds=~.6f msgs_per_sec=~b~s~n",
		  [Pairs, Counted, S, round(Counted / S), Failed]),
	io:format(standard_error, "peer: Erlang/OTP ~s erts-~s schedulers_online=~b~n",
		  [erlang:system_info(otp_release), erlang:system_info(version),
		   erlang:system_info(schedulers_online)]),
	case Failed of
		"" -> erlang:halt(0);
		_ ->
			io:format(standard_error, "pingpong.erl: counted ~b messages, expected ~b~n",
				  [Counted, Want]),
			erlang:halt(1)
	end.

collect(0, Sum) -> Sum;
collect(K, Sum) ->
	receive {done, N} -> collect(K - 1, Sum + N) end.

%% ping sends first and counts the replies; at the end it adds the pong's count
ping(Coord, Pong, Trips) ->
	receive start -> ok end,
	Got = ping_loop(Pong, Trips, 0),
	Pong ! {count, self()},
	receive {pong_count, N} -> Coord ! {done, Got + N} end.

ping_loop(_Pong, 0, Got) -> Got;
ping_loop(Pong, Left, Got) ->
	Pong ! {ping, self()},
	receive pong -> ping_loop(Pong, Left - 1, Got + 1) end.

%% pong answers until asked for its count (a lost message leaves the run waiting: the
%% driver's timeout fails it)
pong(N) ->
	receive
		{ping, From} -> From ! pong, pong(N + 1);
		{count, From} -> From ! {pong_count, N}
	end.
