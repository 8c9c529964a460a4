// msb 0.7's shapes, answered when MSB_SIM_VERSION=0.7.2 (default: 0.6.18's). Measured against the real 0.7.2:
// `inspect` adds `pause` and `config.external_mount_policy`; OCI sandboxes get no implicit /tmp tmpfs; a failed boot
// ends Crashed or Stopped at random (MSB_SIM_FAILED_BOOT_STATUS pins one); `ls --stopped` lists only Stopped and
// `stop` of a Crashed sandbox prints success and changes nothing (both as in the shared code).
export const SIM_07 = process.env.MSB_SIM_VERSION === '0.7.2';

/** The version `msb --version` reports. */
export const SIM_VERSION = SIM_07 ? '0.7.2' : '0.6.18';

/** msb 0.6.18 adds a tmpfs at /tmp to OCI sandboxes that declare none; 0.7 does not. */
export const IMPLICIT_TMP = !SIM_07;

/** The status a failed boot leaves. */
export function failedBootStatus() {
  if (!SIM_07) return 'Stopped';
  const pinned = process.env.MSB_SIM_FAILED_BOOT_STATUS;
  if (pinned === 'Crashed' || pinned === 'Stopped') return pinned;
  return Math.random() < 0.5 ? 'Crashed' : 'Stopped';
}

/** `inspect --format json`: 0.7 adds `pause` (null unless paused) and the config's external mount policy. */
export function inspectView(view) {
  if (!SIM_07) return view;
  const { active_config, config, created_at, name, pending_changes, status, updated_at } = view;
  const withPolicy = Object.fromEntries(Object.entries({ ...config, external_mount_policy: 'strict' }).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { active_config, config: withPolicy, created_at, name, pause: null, pending_changes, status, updated_at };
}
