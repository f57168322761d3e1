import { type CanonicalEvent, causedBy, type EventOrigin } from '@plantbridge/canonical-model';

/**
 * Where this service's events come from: the CloudEvents `source` of everything it publishes
 * (`/plantbridge/{plant}/{service}`), and the origin of each event, so correlation ids carry on from
 * a request or a cause to the events and ERP postings it leads to. PlatformModule provides it.
 */
export class EventOrigins {
  constructor(private readonly service: string) {}

  source(plant: string): string {
    return `/plantbridge/${plant}/${this.service}`;
  }

  /** An event started by an HTTP request: the caller's correlation id carries on to ERP. */
  fromRequest(plant: string, subject: string, correlationId?: string): EventOrigin {
    return { plant, source: this.source(plant), subject, correlationId };
  }

  /** An event that follows from another: same plant and correlation id, caused by it. */
  causedBy(cause: CanonicalEvent, subject?: string): EventOrigin {
    return causedBy(cause, this.source(cause.plantid), subject);
  }

  /** An event with no message or request behind it (a poll of ERP, a dead letter's consequence). */
  forPlant(plant: string, subject?: string): EventOrigin {
    return { plant, source: this.source(plant), subject };
  }
}
