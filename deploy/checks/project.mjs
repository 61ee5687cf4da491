// What the consistency checks compare: the deploy objects by kind, the Dockerfile's final stage, and what the
// plugnode binary itself says (its help lists every environment variable it reads, `describe` prints the
// effective values), so the manifests are checked against the code rather than against another document.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { checksDir, defaultManifestFiles, k8sDir, loadManifests, loadYamlFile } from "./manifests.mjs";

export const repoDir = path.resolve(checksDir, "..", "..");

export function loadDeploy() {
  const manifests = loadManifests(defaultManifestFiles());
  const byKind = (kind) => manifests.filter((m) => m.object.kind === kind).map((m) => m.object);
  const [kustomization] = loadYamlFile(path.join(k8sDir, "kustomization.yaml"));
  return {
    manifests,
    service: byKind("Service")[0],
    statefulset: byKind("StatefulSet")[0],
    pdb: byKind("PodDisruptionBudget")[0],
    secret: byKind("Secret")[0],
    kustomization,
  };
}

// The final stage of a Dockerfile: {user, expose: [ports], entrypoint: [...], cmd: [...]}.
export function loadDockerfile(file = path.join(repoDir, "Dockerfile")) {
  const lines = readFileSync(file, "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  let stage = {};
  for (const line of lines) {
    const [, instruction, rest] = line.match(/^(\w+)\s+(.*)$/) ?? [];
    switch (instruction?.toUpperCase()) {
      case "FROM":
        stage = { from: rest, expose: [] };
        break;
      case "USER":
        stage.user = rest;
        break;
      case "EXPOSE":
        stage.expose.push(...rest.split(/\s+/).map((p) => Number.parseInt(p, 10)));
        break;
      case "ENTRYPOINT":
        stage.entrypoint = JSON.parse(rest);
        break;
      case "CMD":
        stage.cmd = JSON.parse(rest);
        break;
      default:
        break;
    }
  }
  return stage;
}

// Runs the binary with exactly `env` (plus PATH): {status, stdout, stderr}.
export function runBinary(binary, args, env = {}) {
  const result = spawnSync(binary, args, {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
    timeout: 10000,
  });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

// Every environment variable the binary reads, from its help ("[env NAME]").
export function binaryEnvNames(binary) {
  const help = runBinary(binary, ["--help"]);
  const text = help.stdout + help.stderr;
  return new Set([...text.matchAll(/\[?\b[Ee]nv:?\s+([A-Z][A-Z0-9_]{2,})/g)].map((m) => m[1]));
}

// `plugnode describe` as {row: value}, e.g. {http: "0.0.0.0:4000", distribution: "host:4370, ..."}.
export function describeRows(binary, env = {}) {
  const result = runBinary(binary, ["describe"], env);
  if (result.status !== 0) {
    throw new Error(`plugnode describe exited ${result.status}: ${result.stderr.trim()}`);
  }
  const rows = {};
  for (const line of result.stdout.split("\n")) {
    const m = line.match(/^(\S+)\s+(.*)$/);
    if (m) rows[m[1]] = m[2];
  }
  return rows;
}

export function portOf(row) {
  const m = row?.match(/:(\d+)\b/);
  return m ? Number(m[1]) : undefined;
}

export function fileExists(relative) {
  return existsSync(path.join(k8sDir, relative));
}
