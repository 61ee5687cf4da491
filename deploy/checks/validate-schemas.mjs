// Validates Kubernetes manifests against the API's OpenAPI schemas (kubernetes-models, which checks types,
// enums, required fields and formats; unknown keys are typecheck.mjs's job). Offline: no API server.
//   node validate-schemas.mjs [FILE.yaml ...]      (default: deploy/k8s/*.yaml but kustomization.yaml)
import { describe, filesFromArgs, loadManifests } from "./manifests.mjs";

let failures = 0;
const manifests = loadManifests(filesFromArgs(process.argv));
for (const manifest of manifests) {
  const { apiVersion, kind } = manifest.object;
  let Model;
  try {
    ({ [kind]: Model } = await import(`kubernetes-models/${apiVersion}/${kind}`));
  } catch {
    Model = undefined;
  }
  if (typeof Model !== "function") {
    console.error(`FAIL ${describe(manifest)}: no schema for apiVersion ${apiVersion}, kind ${kind}`);
    failures++;
    continue;
  }
  try {
    new Model(manifest.object).validate();
    console.log(`ok   ${describe(manifest)}`);
  } catch (e) {
    const details = (e.errors ?? []).map((err) => `  ${err.instancePath || "/"}: ${err.message}`);
    console.error(`FAIL ${describe(manifest)}: ${e.message}\n${details.join("\n")}`);
    failures++;
  }
}
if (manifests.length === 0) {
  console.error("FAIL no manifests found");
  failures++;
}
console.log(failures === 0 ? `schemas: all ${manifests.length} objects valid` : `schemas: ${failures} problem(s)`);
process.exit(failures === 0 ? 0 : 1);
