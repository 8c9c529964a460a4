// Named volume records as msb lists them (`volume ls --format json`).
import { now } from './time.mjs';

export function newVolume(name, kind = 'dir', capacityBytes = null) {
  return {
    capacity_bytes: capacityBytes,
    created_at: now(),
    disk_format: kind === 'disk' ? 'raw' : null,
    disk_fstype: kind === 'disk' ? 'ext4' : null,
    kind,
    name,
    quota_mib: null,
    used_bytes: 0,
  };
}
