/**
 * Making sure a sandbox's image is in msb's cache before anything is destroyed, per its pull policy, and loading a
 * local archive when the cached ref is missing or is another image (the fix for "the image only exists in my local
 * Docker").
 */
import { OwctlError } from '../errors.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import type { ObservedImage } from '../model/observed.ts';
import type { Runtime } from './runtime.ts';

type Step = <T>(name: string, body: () => Promise<T>) => Promise<T>;

export async function ensureImage(runtime: Runtime, sandbox: DesiredSandbox, step: Step): Promise<ObservedImage> {
  const { ref, archive } = sandbox.image;
  const pulls = (cached: ObservedImage | null) => sandbox.pull === 'always' || (sandbox.pull === 'if-missing' && cached === null);
  // One check step: an image that will be neither loaded nor pulled must be there already, and fails here if not.
  const cached = await step('check-image', async () => {
    const image = await runtime.inspectImage(ref);
    return archive === undefined && !pulls(image) ? present(image, sandbox) : image;
  });
  if (archive !== undefined) {
    const wanted = await runtime.archiveDigest(archive);
    if (cached !== null && (wanted === null || cached.digest === wanted)) return cached;
    return step('load-image', async () => {
      await runtime.loadImage(archive, ref);
      return present(await runtime.inspectImage(ref), sandbox);
    });
  }
  if (!pulls(cached)) return present(cached, sandbox);
  return step('pull-image', async () => {
    await runtime.pullImage(ref);
    return present(await runtime.inspectImage(ref), sandbox);
  });
}

function present(image: ObservedImage | null, sandbox: DesiredSandbox): ObservedImage {
  if (image !== null) return image;
  const { ref } = sandbox.image;
  throw new OwctlError('msb.image', `image ${ref} is not in msb's cache${sandbox.pull === 'never' ? ' and pull is "never"' : ''}`, {
    hint: `load it with \`msb load -i FILE -t ${ref}\`, or declare it as image: { ref: ${ref}, archive: ./image.tar }`,
  });
}

/**
 * The workload command: the file's `command:`, else the image's ENTRYPOINT + CMD. Throws when there is none, or when
 * its program starts with "-" (the guest starts it as `setsid PROGRAM…`, which would read it as its own option).
 */
export function launchArgv(sandbox: DesiredSandbox, image: ObservedImage | null): string[] {
  const argv = sandbox.command ?? [...(image?.entrypoint ?? []), ...(image?.cmd ?? [])];
  const hint = `set sandboxes.${sandbox.name}.command to the OpenWork server's start command`;
  if (argv.length === 0 || argv[0] === '') {
    throw new OwctlError('apply.failed', `image ${sandbox.image.ref} has no ENTRYPOINT or CMD and the file sets no command`, { hint });
  }
  if (argv[0]!.startsWith('-')) {
    const source = sandbox.command === undefined ? `the ENTRYPOINT of image ${sandbox.image.ref}` : 'the command';
    throw new OwctlError('apply.failed', `${source} starts with ${JSON.stringify(argv[0])}, which is an option, not a program`, { hint });
  }
  return argv;
}
