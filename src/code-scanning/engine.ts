import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { DialectName } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { claimUpload, type SarifUploadRow } from './store.js';

export interface SarifProcessingSettings {
  /** Whether this process processes uploads (false: it only records them, for other processes to process). */
  enabled: boolean;
  /** How often a process looks for uploads other processes recorded (its own it starts on at once). */
  pollMs: number;
  /** How long a claimed upload is a process's own; one that dies mid-way leaves it to another (or its restart) after this. */
  leaseMs: number;
}

export const defaultSarifProcessingSettings: SarifProcessingSettings = { enabled: true, pollMs: 500, leaseMs: 60_000 };

/**
 * Processes SARIF uploads recorded in `code_scanning_sarif_uploads`, one at a time per process (processing is CPU
 * work): claims the oldest unclaimed one in the database under a lease, then hands it to `process`, which writes its
 * outcome in one transaction. Nothing lives only here: a process killed mid-way leaves the upload pending, and its
 * lease lapses for the next claim.
 */
export class SarifProcessor {
  private running = false;
  private again = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly clock: Clock,
    private readonly settings: SarifProcessingSettings,
    private readonly process: (upload: SarifUploadRow) => Promise<void>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  start(): void {
    if (!this.settings.enabled) return;
    this.pollTimer = setInterval(() => this.wake(), this.settings.pollMs);
    this.pollTimer.unref();
    this.wake();
  }

  /** Look for uploads to process (an upload was just recorded, or the poll came round). */
  wake(): void {
    if (this.stopped || !this.settings.enabled) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        for (;;) {
          if (this.stopped) break;
          const upload = await claimUpload(this.db, this.dialect, this.clock.now().getTime(), this.settings.leaseMs);
          if (!upload) break;
          // A failure outside the upload's own content (the database went away) leaves it pending, tried again once its lease lapses.
          await this.process(upload).catch(this.onError);
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** Stops claiming and waits for the upload in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    if (this.running) await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
