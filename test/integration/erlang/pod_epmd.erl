%% pod_epmd: the EPMD a BEAM node has in its own pod, for the walkthrough test, where several BEAM nodes
%% with the same alive name (`app`, as a StatefulSet's pods have) run on one machine, each on an address of
%% its own. A real epmd keys its registry by alive name and always binds 127.0.0.1 too, so it cannot hold
%% them; this module (given to the node with `-epmd_module pod_epmd`) instead answers EPMD's PORT_PLEASE2
%% for the node's own name on <inet_dist_use_interface>:<ERL_EPMD_PORT>, as epmd in that pod would (ERTS
%% "Distribution Protocol", "EPMD Protocol"), with node type 77 (a normal Erlang node). Looking up other
%% nodes is left to erl_epmd, which asks EPMD on the peer's host at ERL_EPMD_PORT.
-module(pod_epmd).
-behaviour(gen_server).

-export([start_link/0, register_node/2, register_node/3, port_please/2, port_please/3, address_please/3,
         names/1, listen_port_please/2]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(PORT_PLEASE2_REQ, 122).
-define(PORT2_RESP, 119).
-define(NORMAL_NODE, 77).
-define(TCP_IPV4, 0).
-define(HIGHEST_VERSION, 6).
-define(LOWEST_VERSION, 5).
-define(CLIENT_TIMEOUT, 1000).

%% erl_distribution starts this as its child before the node listens.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

register_node(Name, Port) ->
    register_node(Name, Port, inet_tcp).

%% Called once the node listens on Port: from now on EPMD questions about Name are answered. The listening
%% socket belongs to this module's server, which lives as long as the distribution does.
register_node(Name, Port, _Driver) ->
    gen_server:call(?MODULE, {register, Name, Port}, infinity).

port_please(Name, Host) ->
    erl_epmd:port_please(Name, Host).

port_please(Name, Host, Timeout) ->
    erl_epmd:port_please(Name, Host, Timeout).

address_please(Name, Host, Family) ->
    erl_epmd:address_please(Name, Host, Family).

names(Host) ->
    erl_epmd:names(Host).

listen_port_please(Name, Host) ->
    erl_epmd:listen_port_please(Name, Host).

init([]) ->
    {ok, unregistered}.

handle_call({register, Name, Port}, _From, unregistered) ->
    {ok, Address} = application:get_env(kernel, inet_dist_use_interface),
    EpmdPort = list_to_integer(os:getenv("ERL_EPMD_PORT")),
    case gen_tcp:listen(EpmdPort, [binary, {ip, Address}, {reuseaddr, true}, {active, false}]) of
        {ok, Listen} ->
            spawn_link(fun() -> accept_loop(Listen, alive(Name), Port) end),
            %% Creation tells this incarnation of the node from an earlier one; any non-zero 32-bit value.
            {reply, {ok, rand:uniform(16#fffffff0) + 3}, {registered, Listen}};
        {error, Reason} ->
            {reply, {error, {epmd_port, Address, EpmdPort, Reason}}, unregistered}
    end;
handle_call({register, _, _}, _From, State) ->
    {reply, {error, already_registered}, State}.

handle_cast(_, State) ->
    {noreply, State}.

handle_info(_, State) ->
    {noreply, State}.

%% The alive name comes as an atom or a string, depending on the caller.
alive(Name) when is_atom(Name) -> atom_to_binary(Name);
alive(Name) -> unicode:characters_to_binary(Name).

%% One request per connection, answered and closed, as epmd does; a client gets a second at most.
accept_loop(Listen, Name, Port) ->
    {ok, Client} = gen_tcp:accept(Listen),
    answer(Client, Name, Port),
    gen_tcp:close(Client),
    accept_loop(Listen, Name, Port).

answer(Client, Name, Port) ->
    case gen_tcp:recv(Client, 2, ?CLIENT_TIMEOUT) of
        {ok, <<Length:16>>} when Length > 0 ->
            case gen_tcp:recv(Client, Length, ?CLIENT_TIMEOUT) of
                {ok, <<?PORT_PLEASE2_REQ, Name/binary>>} ->
                    gen_tcp:send(Client, <<?PORT2_RESP, 0, Port:16, ?NORMAL_NODE, ?TCP_IPV4,
                                           ?HIGHEST_VERSION:16, ?LOWEST_VERSION:16,
                                           (byte_size(Name)):16, Name/binary, 0:16>>);
                {ok, <<?PORT_PLEASE2_REQ, _Other/binary>>} ->
                    gen_tcp:send(Client, <<?PORT2_RESP, 1>>); % not found
                _ ->
                    ok
            end;
        _ ->
            ok
    end.
