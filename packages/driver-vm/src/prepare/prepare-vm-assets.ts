import { join } from 'node:path';

import type { Logger } from '@shellgate/driver-sdk';

import type { VmDriverParts } from '../create-vm-driver.js';
import { BaseDiskCache } from '../image/base-disk-cache.js';
import { createImageSources } from '../image/create-image-sources.js';
import { KernelChoice } from '../kernel/kernel-store.js';
import { buildSmallKernel } from '../kernel/small-kernel.js';

export interface PrepareRequest {
  /** Images to pack into base disks now, so their first sandbox boots warm. */
  readonly images: readonly string[];
  /** Download and unpack the Debian kernel again even when one is prepared. */
  readonly isRefresh: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What `prepare` made ready, for its summary. */
export interface PrepareSummary {
  readonly kernelId: string;
  readonly vmlinuxPath: string;
  readonly initramfsPath: string;
  readonly runtimeDisk: string | undefined;
  readonly accelerator: string;
  readonly images: readonly { readonly reference: string; readonly path: string }[];
}

/**
 * Everything a first boot would otherwise do lazily, done now and cached by content hash:
 * the guest kernel (`kernel` setting: Debian's downloaded and unpacked, or the small one
 * compiled), its initramfs, the supervisor runtime disk, the accelerator verdict, and base
 * disks of the images asked for. Idempotent: a second run finds everything in the cache.
 */
export async function prepareVmAssets(parts: VmDriverParts, request: PrepareRequest, report: (message: string) => void, logger: Logger): Promise<PrepareSummary> {
  const { settings, kernels } = parts;
  const existing = await kernels.store.find(settings.kernel);
  if (settings.kernel === KernelChoice.Small) {
    await buildSmallKernel({ store: kernels.store, workDir: settings.cacheDir, run: parts.run, isRoot: parts.isRoot, report });
  } else if (existing === undefined || request.isRefresh) {
    await kernels.prepareDebian(report);
  } else {
    report(`kernel ${existing.id} already prepared (prepare --refresh downloads the package again)`);
  }
  const kernel = await kernels.ensure(settings.kernel, report);
  report(`initramfs ${kernel.initramfsPath}`);
  const runtimeDisk = await parts.runtimeDisk();
  if (runtimeDisk !== undefined) report(`supervisor runtime disk ${runtimeDisk}`);
  const verdict = await parts.accelerator.get();
  report(`accelerator ${verdict.accelerator}: ${verdict.reason}`);
  const baseDisks = new BaseDiskCache({ dir: join(settings.cacheDir, 'images'), sourceFor: createImageSources(settings.imageEngine, settings.imageArchiveDir, parts.run, request.env), run: parts.run });
  const images = [];
  for (const reference of request.images) {
    const base = await baseDisks.ensure(reference, new AbortController().signal, report);
    report(`image ${reference} (${base.config.id}) in ${base.path}`);
    images.push({ reference, path: base.path });
  }
  logger.debug('prepare done', { kernel: kernel.kernel.id });
  return {
    kernelId: kernel.kernel.id,
    vmlinuxPath: kernel.vmlinuxPath,
    initramfsPath: kernel.initramfsPath,
    runtimeDisk,
    accelerator: `${verdict.accelerator} (${verdict.reason})`,
    images,
  };
}
