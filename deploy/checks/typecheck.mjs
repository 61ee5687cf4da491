// Type-checks Kubernetes manifests with TypeScript (strict) against kubernetes-types: each object becomes a
// fresh object literal annotated with its API type, so a misspelt or unknown key anywhere in it is an
// excess-property error, which the schema validator (validate-schemas.mjs) lets through.
//   node typecheck.mjs [FILE.yaml ...]      (default: deploy/k8s/*.yaml but kustomization.yaml)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { checksDir, describe, filesFromArgs, loadManifests, typesModule } from "./manifests.mjs";

const typesRoot = path.join(checksDir, "node_modules", "kubernetes-types");
const manifests = loadManifests(filesFromArgs(process.argv));
const dir = mkdtempSync(path.join(os.tmpdir(), "plugnode-typecheck-"));
try {
  // One source file per object, named after it, so a diagnostic says which manifest is wrong.
  const sources = new Map();
  manifests.forEach((manifest, i) => {
    const { apiVersion, kind } = manifest.object;
    const file = path.join(dir, `object${i}.ts`);
    const module = JSON.stringify(path.join(typesRoot, typesModule(String(apiVersion))));
    const literal = JSON.stringify(manifest.object, null, 2);
    writeFileSync(file, `import type { ${kind} } from ${module};\nexport const object: ${kind} = ${literal};\n`);
    sources.set(file, manifest);
  });
  const program = ts.createProgram([...sources.keys()], {
    strict: true,
    noEmit: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2020,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  for (const d of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
    if (d.file && sources.has(path.resolve(d.file.fileName))) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      const text = d.file.text.split("\n")[line].trim();
      console.error(`FAIL ${describe(sources.get(path.resolve(d.file.fileName)))}: near ${text}\n  ${message}`);
    } else {
      console.error(`FAIL ${d.file?.fileName ?? "typescript"}: ${message}`);
    }
  }
  if (manifests.length === 0) console.error("FAIL no manifests found");
  const ok = diagnostics.length === 0 && manifests.length > 0;
  for (const manifest of ok ? manifests : []) console.log(`ok   ${describe(manifest)}`);
  console.log(ok ? `types: all ${manifests.length} objects type-check` : `types: ${diagnostics.length} problem(s)`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
