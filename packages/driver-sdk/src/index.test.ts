// A driver reaches the wire contract only through this door (STYLE.md rule 3), so every
// generated compute message must pass through it; a missing one gets re-declared by hand
// in the driver (driver-docker's `WorkspaceRequest`, issue 9 item 7).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as generated from './gen/compute_driver.js';
import * as door from './index.js';

// ts-proto's map-field entries (`X_LabelsEntry`) are encoding detail: drivers see plain records.
const isMapEntry = (name: string): boolean => name.endsWith('Entry') && name.includes('_');

describe('driver-sdk door', () => {
  it('exports every generated compute message and the service', () => {
    const missing = Object.keys(generated).filter((name) => !isMapEntry(name) && !(name in door));
    assert.deepEqual(missing, []);
  });
});
