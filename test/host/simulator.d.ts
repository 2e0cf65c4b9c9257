// Types for simulator.js, so the unit tests can start the simulator as the demo does.
export interface HostSimulator {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** One change set on help-desk/All_Tickets (started with --changes): resolves with what the simulator printed. */
  change(): Promise<string>;
}
export function startSimulator(options?: {
  port?: number;
  args?: string[];
  echo?: boolean;
}): Promise<HostSimulator>;
