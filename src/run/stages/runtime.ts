/**
 * Stage: the OCI runtime the sandbox runs under (--runtime, else the profile's `runtime` key).
 * Nothing asked for: no engine call, the engine's default is used and the report reads it back.
 */
import { chooseRuntime, type EngineRuntimes, type RuntimeChoice } from '../../sandbox/runtime-choice.js';
import type { NetworkMode } from '../../config/profile.js';

export interface RuntimeStageInput {
  flag: string | undefined;
  profileKey: string | undefined;
  profileName: string;
  network: NetworkMode;
  engine: { runtimes(): Promise<EngineRuntimes> };
}

export async function runtimeStage(input: RuntimeStageInput): Promise<RuntimeChoice | undefined> {
  if (input.flag === undefined && input.profileKey === undefined) return undefined;
  const runtimes = await input.engine.runtimes();
  return chooseRuntime({ flag: input.flag, profileKey: input.profileKey, profileName: input.profileName, network: input.network }, runtimes);
}
