import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import type { JetStreamConnection } from '../connection/jetstream-connection';
import type { EventPublisher } from '../publishing/event-publisher';

/**
 * `ClientProxy` for code written against Nest's `client.emit(pattern, data)`: `data` must be a
 * canonical event; the pattern is ignored because the subject follows from the event. Publishing
 * waits for the stream's PubAck. Request-reply is not offered: events are facts, not calls.
 */
export class JetStreamClientProxy extends ClientProxy {
  constructor(
    private readonly connection: JetStreamConnection,
    private readonly publisher: EventPublisher,
  ) {
    super();
  }

  async connect(): Promise<void> {
    await this.connection.whenConnected();
  }

  close(): void {
    // The connection belongs to MessagingModule, which drains it at shutdown.
  }

  unwrap<T>(): T {
    return this.connection as T;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket<CanonicalEvent>): Promise<T> {
    return (await this.publisher.publish(packet.data)) as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error('request-reply is not supported over JetStream events; emit an event'),
      isDisposed: true,
    });
    return () => undefined;
  }
}
