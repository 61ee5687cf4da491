#!/usr/bin/python3
"""The dashboard in a real browser: headless Chromium driven over the DevTools protocol, or Firefox over
WebDriver BiDi (Debian's chromium or firefox-esr and python3-websocket, nothing fetched at run time),
against 3 real plugnode nodes on 127.x.y.1-3.

Checks: the page, opened with the admin token as Basic credentials (as an operator does off loopback),
loads with no console error and no request leaving the node; within 3 s it lists the 3
nodes and their links; during a bounded load the request-rate figure rises; a killed node is gone within the
failure bound plus 1 s; when the stream breaks (the node stops) the page says so and reconnects by itself
once the node is back. The browser makes no connection off loopback (checked with ss). Screenshots go to
the output folder.

    browser_test.py PLUGNODE_BINARY OUTPUT_DIR [chromium|firefox]

The nodes' and the browser's logs stay in a temporary folder when a check fails, or with KEEP_WORK=1.
"""
import base64
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import websocket  # python3-websocket (websocket-client)

FAILURE_BOUND_S = 2
TOKEN = "a-token-for-the-browser-test"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
                  "--disable-default-apps", "--no-default-browser-check", "--disable-features=Translate,MediaRouter",
                  "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain",
                  "--window-size=1280,1200"]

failures = []
passes = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    (passes if ok else failures).append(what)
    return ok


def free_port(address):
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind((address, port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port on " + address)


def eventually(condition, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except Exception:
        return None, ""


class Node:
    def __init__(self, binary, net, i, ports, work, extra=None):
        self.name = f"app@{net}.{i}"
        self.address = f"{net}.{i}"
        self.http_port = ports["http"]
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("PLUGNODE_") or k in ("HTTP_PORT", "ERLANG_COOKIE", "CHECK_HOST", "CHECK_URL"):
                del self.env[k]
        self.env.update({"PLUGNODE_NODE": self.name, "HTTP_PORT": str(ports["http"]),
                         "PLUGNODE_HTTP_ADDR": self.address, "PLUGNODE_DIST_PORT": str(ports["dist"]),
                         "PLUGNODE_COOKIE": "dashboard-browser-test", "PLUGNODE_DISCOVERY": "static",
                         "PLUGNODE_STATIC_NODES": ",".join(f"app@{net}.{j}" for j in (1, 2, 3)),
                         "PLUGNODE_FAILURE_BOUND": f"{FAILURE_BOUND_S}s", "PLUGNODE_POLL_INTERVAL": "1s"})
        self.env.update(extra or {})
        self.binary = binary
        self.log = open(os.path.join(work, f"node{i}.log"), "ab")
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([self.binary, "foreground"], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def peers(self):
        status, body = get(f"http://{self.address}:{self.http_port}/cluster")
        if status != 200:
            return []
        return [p["node"] for p in json.loads(body)["peers"] if not p["hidden"]]

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)


class Connection:
    """A websocket of the browser's remote protocol: commands by id, events kept as they come."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=10, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.lock = threading.Lock()
        self.replies = {}
        self.cond = threading.Condition(self.lock)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        while True:
            try:
                message = json.loads(self.ws.recv())
            except Exception:
                return
            with self.cond:
                if "id" in message:
                    self.replies[message["id"]] = message
                else:
                    self.events.append(message)
                self.cond.notify_all()

    def call(self, method, **params):
        with self.cond:
            self.next_id += 1
            ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        with self.cond:
            self.cond.wait_for(lambda: ident in self.replies, timeout=15)
            reply = self.replies.pop(ident, None)
        if reply is None or "error" in reply:
            raise RuntimeError(f"{method}: {reply}")
        return reply["result"]


class CdpPage(Connection):
    """Chromium's page target over the DevTools protocol."""

    def __init__(self, ws_url):
        super().__init__(ws_url)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable")

    def navigate(self, url):
        self.call("Page.navigate", url=url)

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, path):
        """The whole page, not only the window."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def console_errors(self, since=0):
        errors = []
        with self.lock:
            events = self.events[since:]
        for e in events:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append("console: " + json.dumps(p.get("args"))[:300])
            elif e["method"] == "Runtime.exceptionThrown":
                errors.append("exception: " + json.dumps(p.get("exceptionDetails"))[:300])
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append("log: " + p["entry"].get("text", "")[:300])
        return errors

    def request_urls(self):
        with self.lock:
            return [e["params"]["request"]["url"] for e in self.events
                    if e["method"] == "Network.requestWillBeSent"]


class BidiPage(Connection):
    """Firefox's top-level browsing context over WebDriver BiDi, with the same calls as CdpPage."""

    def __init__(self, ws_url):
        super().__init__(ws_url)
        self.call("session.new", capabilities={})
        self.call("session.subscribe", events=["log.entryAdded", "network.beforeRequestSent"])
        self.context = self.call("browsingContext.getTree")["contexts"][0]["context"]

    def navigate(self, url):
        self.call("browsingContext.navigate", context=self.context, url=url, wait="none")

    def eval(self, expression):
        # BiDi answers with typed remote values; JSON keeps the answers plain, as CDP's returnByValue does.
        result = self.call("script.evaluate", expression=f"JSON.stringify({expression})",
                           target={"context": self.context}, awaitPromise=False)
        if result.get("type") != "success" or result["result"].get("type") != "string":
            return None
        return json.loads(result["result"]["value"])

    def screenshot(self, path):
        data = self.call("browsingContext.captureScreenshot", context=self.context, origin="document")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def console_errors(self, since=0):
        with self.lock:
            events = self.events[since:]
        errors = []
        for e in events:
            p = e.get("params", {})
            if e.get("method") == "log.entryAdded" and p.get("level") == "error":
                kind = "exception" if p.get("type") == "javascript" else "console"
                errors.append(f"{kind}: {p.get('text', '')[:300]}")
        return errors

    def request_urls(self):
        with self.lock:
            return [e["params"]["request"]["url"] for e in self.events
                    if e.get("method") == "network.beforeRequestSent"]


# Firefox's own background traffic off (updates, telemetry, captive portal, safe browsing, remote settings),
# and any request that still tries goes to a closed loopback port through a proxy the node's address bypasses.
FIREFOX_PREFS = {
    "app.update.auto": False, "app.update.enabled": False, "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False, "toolkit.telemetry.server": "", "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False, "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False, "browser.safebrowsing.downloads.enabled": False,
    "extensions.update.enabled": False, "services.settings.server": "http://127.0.0.1:9/",
    "browser.shell.checkDefaultBrowser": False, "browser.startup.homepage_override.mstone": "ignore",
    "network.proxy.type": 1, "network.proxy.http": "127.0.0.1", "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": 9, "network.proxy.allow_hijacking_localhost": True,
}


def start_browser(kind, work, node_address):
    """Starts the browser headless on a fresh profile; returns (process, page)."""
    profile = os.path.join(work, "profile")
    os.makedirs(profile, exist_ok=True)
    debug_port = free_port("127.0.0.1")
    log = open(os.path.join(work, kind + ".log"), "wb")
    if kind == "firefox":
        prefs = dict(FIREFOX_PREFS, **{"network.proxy.no_proxies_on": node_address})
        with open(os.path.join(profile, "user.js"), "w") as f:
            for k, v in prefs.items():
                f.write(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n")
        process = subprocess.Popen([shutil.which("firefox-esr"), "--headless", "--no-remote", "--profile", profile,
                                    f"--remote-debugging-port={debug_port}", "--window-size=1280,1200"],
                                   stdout=log, stderr=subprocess.STDOUT)
        url = f"ws://127.0.0.1:{debug_port}/session"
        up = eventually(lambda: port_open("127.0.0.1", debug_port), 30, 0.1)
        return process, (BidiPage(url) if up else None)
    process = subprocess.Popen([shutil.which("chromium"), *CHROMIUM_FLAGS, f"--remote-debugging-port={debug_port}",
                                "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
                                # Every name but the node's address resolves to nothing: no request can
                                # leave the machine by name, whatever a page or the browser tries.
                                f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {node_address}",
                                "about:blank"], stdout=log, stderr=subprocess.STDOUT)
    targets = eventually(lambda: get(f"http://127.0.0.1:{debug_port}/json/list")[1], 20, 0.1)
    if not targets:
        return process, None
    target = next(t for t in json.loads(targets) if t["type"] == "page")
    return process, CdpPage(target["webSocketDebuggerUrl"])


def port_open(address, port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((address, port)) == 0


def off_loopback_connections(browser_pid):
    """TCP connections of the browser's processes to anything but loopback, as ss sees them."""
    out = subprocess.run(["ss", "-tnpH"], capture_output=True, text=True).stdout
    pids = {str(browser_pid)}
    children = subprocess.run(["pgrep", "-P", str(browser_pid)], capture_output=True, text=True).stdout.split()
    while children:
        pids.update(children)
        children = [c for p in children for c in
                    subprocess.run(["pgrep", "-P", p], capture_output=True, text=True).stdout.split()]
    bad = []
    for line in out.splitlines():
        if not any(f"pid={p}," in line for p in pids):
            continue
        peer = line.split()[4]
        host = peer.rsplit(":", 1)[0].strip("[]")
        if not (host.startswith("127.") or host == "::1" or host.startswith("::ffff:127.")):
            bad.append(line)
    return bad


def main():
    binary, out_dir = sys.argv[1], sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) > 3 else "chromium"
    os.makedirs(out_dir, exist_ok=True)
    if not shutil.which("firefox-esr" if kind == "firefox" else "chromium"):
        print(f"{kind} is not installed (./plugnode.sh deps test installs chromium)")
        return 1
    shot = lambda name: os.path.join(out_dir, f"dashboard-{name}.png" if kind == "chromium" else f"{kind}-{name}.png")
    work = tempfile.mkdtemp(prefix="plugnode-dashboard-")
    net = f"127.{random.randrange(20, 220)}.{random.randrange(0, 250)}"
    addresses = [f"{net}.{i}" for i in (1, 2, 3)]
    ports = {"http": free_port(addresses[0]), "dist": free_port(addresses[0])}
    admin_port = free_port(addresses[0])
    started = time.monotonic()
    nodes = []
    browser = None
    try:
        for i in (1, 2, 3):
            # With a token, as off loopback: the browser carries it as Basic credentials, event stream included.
            extra = {"PLUGNODE_ADMIN_PORT": str(admin_port), "PLUGNODE_ADMIN_ADDR": addresses[0],
                     "PLUGNODE_ADMIN_TOKEN": TOKEN} if i == 1 else {}
            nodes.append(Node(binary, net, i, ports, work, extra))
        formed = eventually(lambda: all(len(n.peers()) == 2 for n in nodes), 30, 0.2)
        if not check(formed, "3 nodes form a cluster"):
            return 1

        browser, page = start_browser(kind, work, addresses[0])
        if not check(page is not None, f"{kind} answers on its remote protocol port"):
            return 1

        loaded_at = time.monotonic()
        page.navigate(f"http://operator:{TOKEN}@{addresses[0]}:{admin_port}/")
        names = sorted(n.name for n in nodes)
        listed = eventually(lambda: sorted(page.eval(
            "[...document.querySelectorAll('#cluster-nodes li')].map(li => li.dataset.node)") or []) == names
            and page.eval("document.querySelectorAll('#links tbody tr').length") == 2
            and page.eval("document.querySelectorAll('#cluster-picture line').length") == 3, 3)
        check(listed, f"within 3 s the page lists the 3 nodes and their 3 links "
                      f"({time.monotonic() - loaded_at:.2f} s)")
        if not check(page.eval("document.getElementById('stream-status').textContent") == "live",
                     "the stream is live"):
            print("page:", page.eval("location.href + ' ' + document.body.innerText.slice(0, 600)"))
            print("errors:", page.console_errors(), "requests:", [u[:80] for u in page.request_urls()])
            return 1
        page.screenshot(shot("3-nodes"))

        # A bounded load on node 1's public port: the request rate the page shows rises.
        before = float(page.eval("document.getElementById('req-rate').dataset.value || '0'"))
        stop = threading.Event()
        sent = [0]

        def load():
            while not stop.is_set() and sent[0] < 20000:
                sent[0] += 1
                get(f"http://{addresses[0]}:{ports['http']}/load")

        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        seen = [before]

        def rate_rose():
            seen[0] = float(page.eval("document.getElementById('req-rate').dataset.value || '0'"))
            return seen[0] >= max(20.0, before * 2)

        rose = eventually(rate_rose, 5, 0.1)
        page.screenshot(shot("under-load"))
        stop.set()
        for w in workers:
            w.join()
        check(rose, f"under a bounded load ({sent[0]} requests) the request rate rises: {before:.1f} -> "
                    f"{seen[0]:.1f}/s")

        errors = page.console_errors()
        check(not errors, "no console error: " + "; ".join(errors))
        def the_nodes(url):
            parts = urllib.parse.urlsplit(url)
            return parts.scheme == "data" or (parts.scheme == "http" and parts.hostname == addresses[0]
                                              and parts.port == admin_port)

        foreign = [u for u in page.request_urls() if not the_nodes(u)]
        check(not foreign, "no request leaves the node: " + ", ".join(foreign))

        # A node killed: gone from the page within the failure bound plus 1 s.
        killed_at = time.monotonic()
        nodes[2].kill()
        gone = eventually(lambda: nodes[2].name not in (page.eval(
            "[...document.querySelectorAll('#cluster-nodes li')].map(li => li.dataset.node)") or []), FAILURE_BOUND_S + 1)
        took = time.monotonic() - killed_at
        check(gone, f"a killed node is gone from the page within {FAILURE_BOUND_S + 1} s ({took:.2f} s)")
        check(eventually(lambda: page.eval(f"[...document.querySelectorAll('#timeline li.nodedown')]"
                                           f".some(li => li.textContent.includes('{nodes[2].name}'))"), 1),
              "the timeline shows its nodedown")
        page.screenshot(shot("node-down"))

        # The stream breaks (the node stops): a clear message; once the node is back the page reconnects.
        events_before_break = len(page.events)
        nodes[0].kill(signal.SIGTERM)
        broken = eventually(lambda: "stream lost" in (page.eval(
            "document.getElementById('stream-status').textContent") or ""), 5)
        check(broken, "when the node stops the page says the stream is lost")
        page.screenshot(shot("stream-lost"))
        nodes[0].start()
        back = eventually(lambda: page.eval("document.getElementById('stream-status').textContent") == "live"
                          and nodes[0].name in (page.eval(
                              "[...document.querySelectorAll('#cluster-nodes li')].map(li => li.dataset.node)") or []),
                          15, 0.2)
        check(back, "once the node is back the page reconnects by itself")
        # Refused connections while the node was down are expected network errors, not the page's.
        exceptions = [e for e in page.console_errors(events_before_break) if e.startswith("exception: ")]
        check(not exceptions, "no script error across the break: " + "; ".join(exceptions))
        check(not off_loopback_connections(browser.pid), f"{kind} made no connection off loopback")
        print(f"browser test took {time.monotonic() - started:.1f} s; screenshots in {out_dir}")
    finally:
        if browser:
            browser.terminate()
            try:
                browser.wait(10)
            except subprocess.TimeoutExpired:
                browser.kill()
        for n in nodes:
            n.kill(signal.SIGTERM)
        if not failures and not os.environ.get("KEEP_WORK"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("logs kept in " + work)
    print(f"{len(passes)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
