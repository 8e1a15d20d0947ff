/** Steering the model switchboard (./model-switchboard.ts) from integration tests. */
import { platform } from './api';
import type { SwitchboardMode, SwitchboardStatus } from './model-switchboard';

const control = (init?: RequestInit, path = '') =>
  fetch(`${platform().recommendations.switchboardUrl}${path}`, init).then(async (res) => {
    if (!res.ok) throw new Error(`switchboard: ${res.status} ${await res.text()}`);
    return (await res.json()) as SwitchboardStatus;
  });

/** Makes the model endpoint behave as `mode` says from the next request on. */
export const switchboard = (mode: SwitchboardMode) => control({ method: 'PUT', body: JSON.stringify(mode) });
export const switchboardStatus = () => control();
export const resetSwitchboard = () => control({ method: 'POST' }, '/reset');
