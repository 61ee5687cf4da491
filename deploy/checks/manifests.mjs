// Reading Kubernetes manifests for the deploy checks: every YAML document of the given files, each with the
// file it came from, parsed strictly (duplicate keys and syntax errors fail), plus the tables that map an
// apiVersion/kind to the model class (kubernetes-models) and the type (kubernetes-types).
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const checksDir = path.dirname(fileURLToPath(import.meta.url));
// PLUGNODE_K8S_DIR points the checks at another copy (the tests feed them deliberately broken ones).
export const k8sDir = path.resolve(process.env.PLUGNODE_K8S_DIR ?? path.join(checksDir, "..", "k8s"));

// The manifests under deploy/k8s that are Kubernetes objects (kustomization.yaml is kustomize's own file).
export function defaultManifestFiles() {
  return readdirSync(k8sDir)
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .sort()
    .map((f) => path.join(k8sDir, f));
}

export function loadYamlFile(file) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true, prettyErrors: true });
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

// [{file, object}] for every document of every file.
export function loadManifests(files) {
  return files.flatMap((file) => loadYamlFile(file).map((object) => ({ file, object })));
}

export function describe({ file, object }) {
  return `${path.relative(process.cwd(), file)}: ${object?.kind ?? "?"} ${object?.metadata?.name ?? "?"}`;
}

// "apps/v1" -> "apps/v1", "v1" -> "core/v1", "policy/v1" -> "policy/v1", "networking.k8s.io/v1" ->
// "networking/v1": the folder layout of kubernetes-types.
export function typesModule(apiVersion) {
  const parts = apiVersion.split("/");
  if (parts.length === 1) return `core/${parts[0]}`;
  return `${parts[0].replace(/\.k8s\.io$/, "")}/${parts[1]}`;
}

export function filesFromArgs(argv) {
  const files = argv.slice(2);
  return files.length > 0 ? files.map((f) => path.resolve(f)) : defaultManifestFiles();
}
