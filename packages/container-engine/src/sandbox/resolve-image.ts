import { engineMessageOf } from '../errors.js';
import type { ImageInfo } from '../payload/image-info.js';
import { ImagePullPolicy } from './container-sandbox-engine.js';
import type { ContainerSandboxEngine, PullProgress } from './container-sandbox-engine.js';

/** An image could not be made available: the sandbox fails with ImagePullFailed. */
export class ImageUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageUnavailableError';
  }
}

/**
 * Makes `reference` available per the pull policy and answers its inspect: the immutable id,
 * so the container runs exactly the image that was resolved even if the tag moves later, and
 * its entrypoint and cmd, which the supervisor runs when the sandbox names no command.
 * @throws ImageUnavailableError when the policy forbids pulling a missing image or the pull fails.
 */
export async function resolveImage(
  engine: Pick<ContainerSandboxEngine, 'inspectImage' | 'pullImage'>,
  reference: string,
  policy: ImagePullPolicy,
  onPull: { readonly onStart: () => void; readonly onProgress: (progress: PullProgress) => void },
  signal: AbortSignal,
): Promise<ImageInfo> {
  if (policy !== ImagePullPolicy.Always) {
    const local = await engine.inspectImage(reference, signal);
    if (local !== undefined) return local;
    if (policy === ImagePullPolicy.Never) {
      throw new ImageUnavailableError(`image ${reference} is not present on the engine and image_pull_policy is Never`);
    }
  }
  onPull.onStart();
  try {
    await engine.pullImage(reference, onPull.onProgress, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = engineMessageOf(error);
    throw new ImageUnavailableError(`pulling image ${reference} failed: ${reason}`, { cause: error });
  }
  const pulled = await engine.inspectImage(reference, signal);
  if (pulled === undefined) throw new ImageUnavailableError(`image ${reference} is still missing after a successful pull`);
  return pulled;
}
