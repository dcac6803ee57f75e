/** An ack's `d` already serialised (a reply passed on from another service as it came). */
export class AckJson {
  constructor(readonly json: string) {}
}
