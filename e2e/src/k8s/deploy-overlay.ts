// deploy/k8s applied the way an operator adapts it, with a kustomize overlay: into a namespace
// of this test run (kustomize moves everything there, the RoleBinding's subject included), with
// the run label on every object, and test-only patches. kubectl's built-in kustomize loads no
// file outside the overlay's directory (directories are fine), so single files are copied in.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { E2E_RUN } from '../docker/e2e-run.js';
import { REPO_ROOT } from '../harness/paths.js';
import { K8S_RUN_LABEL, kubectl } from './cluster.js';

/** The kustomization every deployment starts from. */
export const DEPLOY_BASE_DIR = join(REPO_ROOT, 'deploy', 'k8s', 'base');

/** One RFC 6902 operation of a patch. */
export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove' | 'test';
  readonly path: string;
  readonly value?: unknown;
}

export interface DeployOverlay {
  readonly namespace: string;
  /** Absolute paths: directories are referenced, files copied in. */
  readonly directories?: readonly string[];
  readonly files?: readonly string[];
  /** More manifests (YAML), e.g. a PersistentVolume for this run. */
  readonly extraManifests?: string;
  readonly patches?: readonly { readonly kind: string; readonly name: string; readonly operations: readonly PatchOperation[] }[];
  /** Secrets to generate: name → file name → content (names kept as given, no hash suffix). */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** `kubectl apply -k` of the overlay; resolves with kubectl's output. */
export async function applyDeployOverlay(overlay: DeployOverlay): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-e2e-kustomize-'));
  try {
    const resources = [...(overlay.directories ?? []).map((path) => relative(dir, path))];
    for (const file of overlay.files ?? []) {
      copyFileSync(file, join(dir, basename(file)));
      resources.push(basename(file));
    }
    if (overlay.extraManifests !== undefined) {
      writeFileSync(join(dir, 'extra.yaml'), overlay.extraManifests);
      resources.push('extra.yaml');
    }
    const secrets = Object.entries(overlay.secrets ?? {}).map(([name, files]) => {
      for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content, { mode: 0o600 });
      return { name, files: Object.keys(files) };
    });
    // JSON is YAML: kustomize reads this file as it is.
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: overlay.namespace,
      labels: [{ pairs: { [K8S_RUN_LABEL]: E2E_RUN }, includeSelectors: false }],
      resources,
      secretGenerator: secrets,
      generatorOptions: { disableNameSuffixHash: true },
      patches: (overlay.patches ?? []).map(({ kind, name, operations }) => ({ target: { kind, name }, patch: JSON.stringify(operations) })),
    };
    writeFileSync(join(dir, 'kustomization.yaml'), JSON.stringify(kustomization, null, 2));
    return await kubectl(['apply', '-k', dir], { timeoutMs: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
