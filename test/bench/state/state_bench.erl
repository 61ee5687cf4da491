%% The Erlang/OTP half of test/bench/state/run: the references for state_bench_node's measurements.
%%   serve():  a peer (b, c): the scope `pg`, a watcher acknowledging every join it sees to the joined
%%             process, the gen_server `srv` (answers `get` with its node), a fan-out dispatcher; READY.
%%   client([B, C, Subs, Bcasts, Calls, Joins, Acts]): on a, in this order:
%%     activations: Acts gen_servers started, registered in an ETS table, monitored and called once, one
%%       after the other (what starting an entity on first use does): per second, and the RSS they added
%%       per 100,000;
%%     gen_server:call round trips (median, p99 of Calls) to a local gen_server and to `srv` on B;
%%     join-to-visible: Joins joins of one process to new groups, each until both peers' watchers saw it;
%%     fan-out to Subs subscribers (a third on each node), Bcasts broadcasts: `:pg` members and a send per
%%       member; then Phoenix.PubSub's way: one message per node with subscribers, fanned out there by a
%%       dispatcher to its node's members (pg:get_local_members); deliveries per second until every
%%       subscriber got the last one;
%%   then halts. Every wait is bounded.
-module(state_bench).
-behaviour(gen_server).
-export([serve/0, client/1, subscribers/4]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(TIMEOUT, 120000).

init(_) -> {ok, none}.
handle_call(get, _From, S) -> {reply, node(), S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.

serve() ->
    {ok, _} = pg:start(pg),
    Ready = self(),
    spawn(fun() -> {_Ref, _} = pg:monitor_scope(pg), Ready ! watching, watch() end),
    receive watching -> ok end,
    {ok, _} = gen_server:start({local, srv}, ?MODULE, [], []),
    register(dispatcher, spawn(fun() -> ok = pg:join(pg, fan_b_nodes, self()), dispatch() end)),
    io:format("READY~n"),
    receive never -> ok end.

watch() ->
    receive
        {_Ref, join, Group, Pids} -> [P ! {ack, Group} || P <- Pids], watch();
        _ -> watch()
    end.

%% Phoenix.PubSub's node-local fan-out.
dispatch() ->
    receive {fwd, Msg} -> [P ! Msg || P <- pg:get_local_members(pg, fan_b)], dispatch() end.

%% N subscribers here, in Group, each telling Collector when Last came.
subscribers(Group, N, Last, Collector) ->
    [spawn(fun() -> ok = pg:join(pg, Group, self()), subscriber(Last, Collector) end) || _ <- lists:seq(1, N)],
    ok.

subscriber(Last, Collector) ->
    receive
        Last -> Collector ! done, subscriber(Last, Collector);
        _ -> subscriber(Last, Collector)
    end.

num(A) -> list_to_integer(atom_to_list(A)).

client([B, C | Numbers]) ->
    [Subs, Bcasts, Calls, Joins, Acts] = [num(N) || N <- Numbers],
    {ok, _} = pg:start(pg),
    {ok, Local} = gen_server:start(?MODULE, [], []),
    {ARate, AKb} = activations(Acts),
    io:format("activations ~p ~p~n", [ARate, AKb]),
    true = net_kernel:connect_node(B),
    true = net_kernel:connect_node(C),
    {LM, LP} = median_p99([call_us(Local) || _ <- lists:seq(1, Calls)]),
    {RM, RP} = median_p99([call_us({srv, B}) || _ <- lists:seq(1, Calls)]),
    io:format("call_local ~.1f ~.1f~ncall_remote ~.1f ~.1f~n", [LM, LP, RM, RP]),
    _ = [join_us(I) || I <- lists:seq(1, 50)], % warm-up: the scopes discover each other
    {JM, JP} = median_p99([join_us(I) || I <- lists:seq(51, 50 + Joins)]),
    io:format("join ~.1f ~.1f~n", [JM, JP]),
    io:format("fanout_pg ~p~n", [fanout(fan_a, [B, C], Subs, Bcasts, fun pg_send/2)]),
    io:format("fanout_phoenix ~p~n", [fanout(fan_b, [B, C], Subs, Bcasts, fun phoenix_send/2)]),
    halt(0).

activations(N) ->
    Table = ets:new(entities, [set]),
    Before = rss_kb(),
    T0 = erlang:monotonic_time(nanosecond),
    lists:foreach(
        fun(I) ->
            {ok, P} = gen_server:start(?MODULE, [], []),
            ets:insert(Table, {I, P}),
            erlang:monitor(process, P),
            _ = gen_server:call(P, get)
        end,
        lists:seq(1, N)),
    Secs = (erlang:monotonic_time(nanosecond) - T0) / 1.0e9,
    timer:sleep(500),
    {round(N / Secs), round((rss_kb() - Before) * 100000 / N)}.

call_us(Server) ->
    S = erlang:monotonic_time(nanosecond),
    _ = gen_server:call(Server, get),
    (erlang:monotonic_time(nanosecond) - S) / 1000.

join_us(I) ->
    G = {g, I},
    S = erlang:monotonic_time(nanosecond),
    ok = pg:join(pg, G, self()),
    receive {ack, G} -> ok after ?TIMEOUT -> exit(ack_timeout) end,
    receive {ack, G} -> ok after ?TIMEOUT -> exit(ack_timeout) end,
    (erlang:monotonic_time(nanosecond) - S) / 1000.

fanout(Group, Peers, Subs, Bcasts, Send) ->
    Collector = self(),
    Last = Bcasts - 1,
    Each = Subs div 3,
    ok = subscribers(Group, Subs - 2 * Each, Last, Collector),
    [ok = rpc:call(P, ?MODULE, subscribers, [Group, Each, Last, Collector]) || P <- Peers],
    wait_members(Group, Subs, 1000),
    T0 = erlang:monotonic_time(nanosecond),
    spawn(fun() -> [Send(Group, I) || I <- lists:seq(0, Last)] end),
    [receive done -> ok after ?TIMEOUT -> exit(fanout_timeout) end || _ <- lists:seq(1, Subs)],
    round(Bcasts * Subs / ((erlang:monotonic_time(nanosecond) - T0) / 1.0e9)).

wait_members(Group, Subs, 0) -> exit({members, Group, length(pg:get_members(pg, Group)), Subs});
wait_members(Group, Subs, Left) ->
    case length(pg:get_members(pg, Group)) of
        Subs -> ok;
        _ -> timer:sleep(10), wait_members(Group, Subs, Left - 1)
    end.

pg_send(Group, Msg) -> [P ! Msg || P <- pg:get_members(pg, Group)].

phoenix_send(Group, Msg) ->
    [P ! Msg || P <- pg:get_local_members(pg, Group)],
    [D ! {fwd, Msg} || D <- pg:get_members(pg, fan_b_nodes), node(D) =/= node()].

median_p99(Xs) ->
    Sorted = lists:sort(Xs),
    N = length(Sorted),
    {lists:nth(N div 2 + 1, Sorted), lists:nth(N * 99 div 100 + 1, Sorted)}.

rss_kb() ->
    {ok, Status} = file:read_file("/proc/self/status"),
    [Line] = [L || L <- binary:split(Status, <<"\n">>, [global]), binary:part(L, 0, min(6, byte_size(L))) =:= <<"VmRSS:">>],
    [_, Kb | _] = binary:split(Line, [<<" ">>, <<"\t">>], [global, trim_all]),
    binary_to_integer(Kb).
