// Validates every document of deploy/kubernetes/*.yaml against the JSON schema of its apiVersion and kind:
// Kubernetes' own (kubernetes-models) and KEDA's (@kubernetes-models/keda). Exits 1 naming the file, document and
// field at fault; a kind without a schema here is an error too, so nothing is left unchecked.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

const folder = resolve(import.meta.dirname, "../../deploy/kubernetes");
const modulePath = (apiVersion, kind) => {
  if (apiVersion.startsWith("keda.sh/")) return `@kubernetes-models/keda/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
};

let failures = 0;
let checked = 0;
for (const file of readdirSync(folder).filter((f) => f.endsWith(".yaml")).sort()) {
  const documents = parseAllDocuments(readFileSync(join(folder, file), "utf8"));
  for (const [index, document] of documents.entries()) {
    const where = `deploy/kubernetes/${file}, document ${index + 1}`;
    if (document.errors.length > 0) {
      console.error(`${where}: not YAML: ${document.errors[0].message}`);
      failures++;
      continue;
    }
    const manifest = document.toJS();
    if (manifest === null) continue;
    const { apiVersion, kind } = manifest;
    let model;
    try {
      model = (await import(modulePath(apiVersion, kind)))[kind];
    } catch {
      console.error(`${where}: no schema for apiVersion ${apiVersion}, kind ${kind}`);
      failures++;
      continue;
    }
    try {
      new model(manifest).validate();
      checked++;
      console.log(`${where}: ${kind} ${manifest.metadata?.name ?? manifest.metadata?.generateName ?? ""} is valid`);
    } catch (error) {
      console.error(`${where}: ${kind} is invalid: ${error.message}`);
      failures++;
    }
  }
}
if (failures > 0 || checked === 0) {
  console.error(`${failures} invalid manifest(s), ${checked} valid`);
  process.exit(1);
}
console.log(`all ${checked} manifests are valid against the Kubernetes and KEDA schemas`);
