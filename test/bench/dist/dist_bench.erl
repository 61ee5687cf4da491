%% The Erlang/OTP half of test/bench/dist/run: the same measurements as cluster_test_node's bench commands.
%%   serve():        registers `sink` (counts {msg, N}, answers {count, From}) and prints READY.
%%   client([Peer, Pings, Msgs, Window, Blast]): connect time, ping round trips, one-way throughput, then a
%%       blast of Blast messages without acknowledgements (the distribution buffer's busy limit suspends
%%       the sender), its rate up to the sink's count of all of them, the client's peak RSS and the
%%       nodedowns it saw; then halts.
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

client([Peer, PingsA, MsgsA, WindowA, BlastA]) ->
    ok = net_kernel:monitor_nodes(true),
    Blast = list_to_integer(atom_to_list(BlastA)),
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
    Before = count(Peer),
    B0 = erlang:monotonic_time(nanosecond),
    blast(Peer, Blast),
    Delivered = count(Peer) - Before,
    BSecs = (erlang:monotonic_time(nanosecond) - B0) / 1.0e9,
    io:format("blast ~p ~p ~p ~p~n", [round(Blast / BSecs), Delivered, peak_rss_kb(), nodedowns(0)]),
    halt(0).

%% The same loop as the issue's `{sink, Node} ! I`, without building a list of Blast elements first.
blast(_Peer, 0) -> ok;
blast(Peer, N) ->
    {sink, Peer} ! {msg, N},
    blast(Peer, N - 1).

count(Peer) ->
    {sink, Peer} ! {count, self()},
    receive {counted, N} -> N after 120000 -> exit(count_timeout) end.

peak_rss_kb() ->
    {ok, Status} = file:read_file("/proc/self/status"),
    [Line] = [L || L <- binary:split(Status, <<"\n">>, [global]), binary:part(L, 0, min(6, byte_size(L))) =:= <<"VmHWM:">>],
    [_, Kb | _] = binary:split(Line, [<<" ">>, <<"\t">>], [global, trim_all]),
    binary_to_integer(Kb).

nodedowns(N) ->
    receive {nodedown, _} -> nodedowns(N + 1); {nodeup, _} -> nodedowns(N) after 0 -> N end.

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
