/**
 * Channels for subtasks that share a thread: one LocalChannel per (exchange, sender, receiver).
 */
import type { Exchange } from "../../plan/physical-plan.ts";
import { LocalChannel } from "../network/channel.ts";
import type { ChannelProvider } from "../task/deploy.ts";

export class LocalChannelProvider implements ChannelProvider {
  readonly channels = new Map<string, LocalChannel>();
  constructor(
    private readonly capacity: number,
    private readonly wake: () => void,
  ) {}
  private get(exchange: Exchange, from: number, to: number): LocalChannel {
    const id = `${exchange.id}:${from}:${to}`;
    let channel = this.channels.get(id);
    if (channel === undefined) {
      channel = new LocalChannel(this.capacity, this.wake, this.wake);
      this.channels.set(id, channel);
    }
    return channel;
  }
  sender(exchange: Exchange, from: number, to: number): LocalChannel {
    return this.get(exchange, from, to);
  }
  receiver(exchange: Exchange, from: number, to: number): LocalChannel {
    return this.get(exchange, from, to);
  }
}
