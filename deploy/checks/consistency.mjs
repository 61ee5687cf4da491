// Checks that deploy/k8s, the Dockerfile and the plugnode binary agree on names, ports, environment
// variables, the user and the cookie: the mistakes that only show up as a cluster that never forms.
//   node consistency.mjs --binary PATH/TO/plugnode
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { binaryEnvNames, describeRows, fileExists, loadDeploy, loadDockerfile, portOf, runBinary } from "./project.mjs";

const binary = process.argv[process.argv.indexOf("--binary") + 1];
if (!process.argv.includes("--binary") || !binary) {
  console.error("usage: node consistency.mjs --binary PATH/TO/plugnode");
  process.exit(2);
}

let failures = 0;
function check(name, fn) {
  try {
    const problems = [fn()].flat().filter(Boolean);
    if (problems.length === 0) {
      console.log(`ok   ${name}`);
      return;
    }
    failures++;
    console.error(`FAIL ${name}\n${problems.map((p) => `  ${p}`).join("\n")}`);
  } catch (e) {
    failures++;
    console.error(`FAIL ${name}\n  ${e.message}`);
  }
}
const expect = (ok, message) => (ok ? undefined : message);
const subset = (small = {}, big = {}) => Object.entries(small).every(([k, v]) => big[k] === v);

const { service, statefulset, pdb, secret, kustomization } = loadDeploy();
const docker = loadDockerfile();
const pod = statefulset.spec.template;
const container = pod.spec.containers[0];
const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
const containerPort = (name) => container.ports.find((p) => p.name === name);
const knownEnv = binaryEnvNames(binary);
const defaults = describeRows(binary);

check("the binary lists the environment variables it reads (plugnode --help: [env NAME])", () =>
  expect(knownEnv.has("HTTP_PORT"), `found only: ${[...knownEnv].join(" ") || "nothing"}`),
);
check("every environment variable of the StatefulSet is one the binary reads", () =>
  Object.keys(env).map((name) => expect(knownEnv.has(name), `${name} is not read by plugnode`)),
);

// The pod's environment as the binary would see it, with the downward API and the Secret filled in.
check("the binary accepts the StatefulSet's environment (plugnode describe exits 0)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "plugnode-consistency-"));
  try {
    const podEnv = {};
    for (const [name, e] of Object.entries(env)) {
      if (e.value !== undefined) podEnv[name] = e.value;
      else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") podEnv[name] = "default";
    }
    if (podEnv.PLUGNODE_COOKIE_FILE) {
      podEnv.PLUGNODE_COOKIE_FILE = path.join(dir, "cookie");
      writeFileSync(podEnv.PLUGNODE_COOKIE_FILE, "an-example-cookie-of-reasonable-length-for-the-check");
    }
    const rows = describeRows(binary, podEnv);
    return [
      expect(rows.discovery?.startsWith(env.PLUGNODE_DISCOVERY?.value ?? "none"), `discovery: ${rows.discovery}`),
      expect(
        rows.discovery?.includes(`service ${service.metadata.name}.default.svc.`),
        `discovery does not query Service ${service.metadata.name}: ${rows.discovery}`,
      ),
      expect(rows.cookie?.startsWith("from "), `cookie: ${rows.cookie}`),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const httpPort = env.HTTP_PORT?.value ? Number(env.HTTP_PORT.value) : portOf(defaults.http);
const distPort = env.PLUGNODE_DIST_PORT?.value ? Number(env.PLUGNODE_DIST_PORT.value) : portOf(defaults.distribution);
check("the binary's default ports are 4000 (HTTP) and 4370 (distribution) (plugnode describe)", () => [
  expect(portOf(defaults.http) === 4000, `describe http: ${defaults.http}`),
  expect(portOf(defaults.distribution) === 4370, `describe distribution: ${defaults.distribution}`),
]);
check("the Dockerfile EXPOSEs the HTTP and distribution ports", () =>
  expect(
    JSON.stringify([...docker.expose].sort()) === JSON.stringify([httpPort, distPort].sort()),
    `EXPOSE ${docker.expose.join(" ")}, binary ${httpPort} ${distPort}`,
  ),
);
check("the container ports http and dist are the ports the binary listens on", () => [
  expect(containerPort("http")?.containerPort === httpPort, `http: ${containerPort("http")?.containerPort} != ${httpPort}`),
  expect(containerPort("dist")?.containerPort === distPort, `dist: ${containerPort("dist")?.containerPort} != ${distPort}`),
]);
check("the Service is headless, publishes not-ready pods and targets the named container ports", () => [
  expect(service.spec.clusterIP === "None", "clusterIP is not None"),
  expect(service.spec.publishNotReadyAddresses === true, "publishNotReadyAddresses is not true"),
  ...["http", "dist"].map((name) => {
    const port = service.spec.ports.find((p) => p.name === name);
    return expect(
      port && containerPort(port.targetPort ?? "") && port.port === containerPort(name)?.containerPort,
      `Service port ${name} missing or not targeting container port ${name}`,
    );
  }),
]);
check("discovery asks for the Service the StatefulSet is governed by, and its dist port name", () => [
  expect(statefulset.spec.serviceName === service.metadata.name, "serviceName differs from the Service's name"),
  expect(env.PLUGNODE_SERVICE?.value === service.metadata.name, "PLUGNODE_SERVICE differs from the Service's name"),
  expect(env.PLUGNODE_DISCOVERY?.value === "k8s-srv", "PLUGNODE_DISCOVERY is not k8s-srv"),
  expect(env.PLUGNODE_NAMESPACE?.valueFrom?.fieldRef?.fieldPath === "metadata.namespace", "PLUGNODE_NAMESPACE not from the downward API"),
  expect(
    service.spec.ports.some((p) => p.name === (env.PLUGNODE_PORT_NAME?.value ?? "dist")),
    "PLUGNODE_PORT_NAME names no Service port",
  ),
]);
check("selectors of the StatefulSet, Service and PodDisruptionBudget match the pod labels", () => [
  expect(subset(statefulset.spec.selector.matchLabels, pod.metadata.labels), "StatefulSet selector"),
  expect(subset(service.spec.selector, pod.metadata.labels), "Service selector"),
  expect(subset(pdb.spec.selector.matchLabels, pod.metadata.labels), "PodDisruptionBudget selector"),
]);
check("probes and the Prometheus annotations use the HTTP port", () => {
  const portMatches = (p) => p === "http" || p === httpPort;
  const annotations = pod.metadata.annotations ?? {};
  return [
    expect(portMatches(container.readinessProbe?.httpGet?.port), "readinessProbe port"),
    expect(portMatches(container.livenessProbe?.httpGet?.port), "livenessProbe port"),
    expect(annotations["prometheus.io/port"] === String(httpPort), "prometheus.io/port"),
    expect(annotations["prometheus.io/scrape"] === "true", "prometheus.io/scrape"),
  ];
});
check("the cookie Secret is the one mounted at PLUGNODE_COOKIE_FILE, and kustomize generates it", () => {
  const volume = pod.spec.volumes.find((v) => v.secret);
  const mount = container.volumeMounts.find((m) => m.name === volume?.name);
  const key = Object.keys(secret.stringData ?? secret.data ?? {})[0];
  const generator = (kustomization.secretGenerator ?? []).find((g) => g.name === secret.metadata.name);
  return [
    expect(volume?.secret.secretName === secret.metadata.name, "the volume's secretName differs from the example Secret"),
    expect(env.PLUGNODE_COOKIE_FILE?.value === `${mount?.mountPath}/${key}`, "PLUGNODE_COOKIE_FILE is not mountPath/key"),
    expect(mount?.readOnly === true, "the cookie mount is not read-only"),
    expect(generator?.files?.some((f) => f.startsWith(`${key}=`)), "kustomization's secretGenerator lacks the key"),
  ];
});
check("the image's user is the pod's non-root user, and the command is foreground", () => {
  const [uid, gid] = String(docker.user).split(":").map(Number);
  const sc = pod.spec.securityContext;
  return [
    expect(uid > 0 && uid === sc.runAsUser, `Dockerfile USER ${docker.user}, runAsUser ${sc.runAsUser}`),
    expect(gid === undefined || gid === sc.runAsGroup, `Dockerfile group ${gid}, runAsGroup ${sc.runAsGroup}`),
    expect(sc.runAsNonRoot === true, "runAsNonRoot"),
    expect(container.securityContext?.readOnlyRootFilesystem === true, "readOnlyRootFilesystem"),
    expect(path.basename(docker.entrypoint?.[0] ?? "") === "plugnode", `ENTRYPOINT ${docker.entrypoint}`),
    expect(JSON.stringify(container.args ?? docker.cmd) === JSON.stringify(["foreground"]), "the command is not foreground"),
    expect(container.command === undefined, "the manifest overrides the image's ENTRYPOINT"),
  ];
});
check("kustomization.yaml lists every manifest but the example Secret, and only files that exist", () => {
  const listed = new Set(kustomization.resources ?? []);
  const wanted = ["service.yaml", "statefulset.yaml", "pdb.yaml"];
  return [
    ...[...listed].map((f) => expect(fileExists(f), `${f} does not exist`)),
    ...wanted.map((f) => expect(listed.has(f), `${f} is not listed`)),
    expect(!listed.has("secret.example.yaml"), "the example Secret would be deployed"),
  ];
});
check("the binary refuses a bad environment value with exit 2 (what a typo in the manifest does)", () => {
  const bad = runBinary(binary, ["describe"], { PLUGNODE_DISCOVERY: "k8s-srvv" });
  return expect(bad.status === 2 && bad.stderr.includes("PLUGNODE_DISCOVERY"), `exit ${bad.status}: ${bad.stderr.trim()}`);
});

console.log(failures === 0 ? "consistency: all checks agree" : `consistency: ${failures} check(s) disagree`);
process.exit(failures === 0 ? 0 : 1);
