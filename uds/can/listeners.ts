// Listener bookkeeping shared by the transports: a throwing listener must not stop delivery to the others.
import type { CanFrame } from './frame.ts';
import { frameMatches, type CanIdFilter } from './transport.ts';

interface Subscription {
  filters: CanIdFilter[] | null;
  listener: (frame: CanFrame) => void;
}

export class FrameListeners {
  private subscriptions: Subscription[] = [];
  private errorListeners: ((err: Error) => void)[] = [];

  subscribe(filters: CanIdFilter[] | null, listener: (frame: CanFrame) => void): () => void {
    const sub: Subscription = { filters: filters === null ? null : [...filters], listener };
    this.subscriptions = [...this.subscriptions, sub];
    return () => {
      this.subscriptions = this.subscriptions.filter((s) => s !== sub);
    };
  }

  /** What any subscription accepts: null when one takes every frame, [] when there is none. */
  acceptedIds(): CanIdFilter[] | null {
    const all: CanIdFilter[] = [];
    for (const sub of this.subscriptions) {
      if (sub.filters === null) return null;
      all.push(...sub.filters);
    }
    return all;
  }

  onError(listener: (err: Error) => void): () => void {
    this.errorListeners = [...this.errorListeners, listener];
    return () => {
      this.errorListeners = this.errorListeners.filter((l) => l !== listener);
    };
  }

  deliver(frame: CanFrame): void {
    for (const sub of this.subscriptions) {
      if (!frameMatches(frame, sub.filters)) continue;
      try {
        sub.listener(frame);
      } catch (err) {
        this.emitError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  emitError(err: Error): void {
    for (const l of this.errorListeners) {
      try {
        l(err);
      } catch {
        // an error listener that throws has nowhere further to report to
      }
    }
  }

  clear(): void {
    this.subscriptions = [];
    this.errorListeners = [];
  }
}
