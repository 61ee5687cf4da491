// Runs the real plugnode binary the way the StatefulSet does and asks it what Kubernetes will ask: the
// liveness and readiness probe paths, the Prometheus scrape path, then SIGTERM, which must end the node
// cleanly within the grace period that is left after the preStop hook.
//   node probe-paths.mjs --binary PATH/TO/plugnode
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { loadDeploy } from "./project.mjs";

const binary = process.argv[process.argv.indexOf("--binary") + 1];
if (!process.argv.includes("--binary") || !binary) {
  console.error("usage: node probe-paths.mjs --binary PATH/TO/plugnode");
  process.exit(2);
}

// A free port below the ephemeral range (32768+), so it never collides with client sockets.
async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise((resolve) => {
      const server = net.createServer().once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port found");
}

function get(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: 0, body: e.message }));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { statefulset } = loadDeploy();
const pod = statefulset.spec.template;
const container = pod.spec.containers[0];
const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0);
const stopBudgetMs = ((pod.spec.terminationGracePeriodSeconds ?? 30) - preStopSeconds) * 1000;

const httpPort = await freePort();
const distPort = await freePort();
const node = spawn(binary, ["foreground"], {
  env: {
    PATH: process.env.PATH,
    HTTP_PORT: String(httpPort),
    PLUGNODE_HTTP_ADDR: "127.0.0.1",
    PLUGNODE_DIST_PORT: String(distPort),
    PLUGNODE_DIST_ADDR: "127.0.0.1",
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "inherit", "inherit"],
});
const exited = new Promise((resolve) => node.on("exit", (code, signal) => resolve({ code, signal })));

let failures = 0;
function report(ok, what) {
  if (ok) console.log(`ok   ${what}`);
  else {
    console.error(`FAIL ${what}`);
    failures++;
  }
}

try {
  let root = { status: 0 };
  for (let i = 0; i < 100 && root.status !== 200 && node.exitCode === null; i++) {
    await sleep(100);
    root = await get(httpPort, "/");
  }
  report(root.status === 200, `GET / -> ${root.status} once the node is up`);

  const liveness = container.livenessProbe.httpGet.path;
  const live = await get(httpPort, liveness);
  report(live.status === 200, `livenessProbe GET ${liveness} -> ${live.status}`);

  // A node without a cluster to discover turns ready soon after it serves; the kubelet asks repeatedly too.
  const readiness = container.readinessProbe.httpGet.path;
  let ready = await get(httpPort, readiness);
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    await sleep(200);
    ready = await get(httpPort, readiness);
  }
  report(ready.status === 200, `readinessProbe GET ${readiness} -> ${ready.status} ${ready.body.trim().slice(0, 80)}`);

  const scrape = pod.metadata.annotations["prometheus.io/path"];
  const metrics = await get(httpPort, scrape);
  report(metrics.status === 200 && metrics.body.includes("# TYPE"), `prometheus.io/path GET ${scrape} -> ${metrics.status}`);

  const started = Date.now();
  node.kill("SIGTERM");
  const { code, signal } = await Promise.race([exited, sleep(stopBudgetMs).then(() => ({ code: "timeout" }))]);
  const took = Date.now() - started;
  report(code === 0, `SIGTERM -> exit ${code ?? signal} after ${took} ms (budget ${stopBudgetMs} ms: grace minus preStop)`);
} finally {
  if (node.exitCode === null && node.signalCode === null) {
    node.kill("SIGKILL");
    await exited;
  }
}
console.log(failures === 0 ? "probes: all answered" : `probes: ${failures} problem(s)`);
process.exit(failures === 0 ? 0 : 1);
