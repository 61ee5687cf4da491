%% The Erlang/OTP half of test/bench/dist/run: the same measurements as cluster_test_node's bench commands.
%%   serve():        registers `sink` (counts {msg, N}, answers {count, From}) and prints READY.
%%   client([Peer, Pings, Msgs, Window]): connect time, ping round trips, one-way throughput, then halts.
-module(dist_bench).
-export([serve/0, client/1]).

serve() ->
    register(sink, spawn(fun() -> sink(0) end)),
    io:format("READY~n"),
    receive never -> ok end.

sink(N) ->
    receive
        {msg, _} -> sink(N + 1);
        {count, From} -> From ! {counted, N}, sink(N)
    end.

client([Peer, PingsA, MsgsA, WindowA]) ->
    Pings = list_to_integer(atom_to_list(PingsA)),
    Msgs = list_to_integer(atom_to_list(MsgsA)),
    Window = list_to_integer(atom_to_list(WindowA)),
    T0 = erlang:monotonic_time(nanosecond),
    true = net_kernel:connect_node(Peer),
    ConnectUs = (erlang:monotonic_time(nanosecond) - T0) div 1000,
    Rtts = lists:sort([ping_once(Peer) || _ <- lists:seq(1, Pings)]),
    Median = lists:nth(Pings div 2 + 1, Rtts),
    P99 = lists:nth(Pings * 99 div 100 + 1, Rtts),
    S0 = erlang:monotonic_time(nanosecond),
    ok = send_windows(Peer, Msgs, Window, 0),
    Secs = (erlang:monotonic_time(nanosecond) - S0) / 1.0e9,
    io:format("connect_us ~p~nping_us ~.1f ~.1f~nmsgs_per_s ~p~n", [ConnectUs, Median, P99, round(Msgs / Secs)]),
    halt(0).

ping_once(Peer) ->
    S = erlang:monotonic_time(nanosecond),
    pong = net_adm:ping(Peer),
    (erlang:monotonic_time(nanosecond) - S) / 1000.

send_windows(_Peer, Msgs, _Window, Sent) when Sent >= Msgs -> ok;
send_windows(Peer, Msgs, Window, Sent) ->
    Batch = min(Window, Msgs - Sent),
    [{sink, Peer} ! {msg, I} || I <- lists:seq(Sent, Sent + Batch - 1)],
    {sink, Peer} ! {count, self()},
    receive {counted, _} -> ok after 10000 -> exit(ack_timeout) end,
    send_windows(Peer, Msgs, Window, Sent + Batch).
