// What the load generator reads of each frame it receives. Deliveries (a `message.created` event
// per member: ten frames a message in rooms of ten) are read straight off the bytes, without
// parsing the whole message, so the generator's own cost stays small beside the system's on a
// shared machine; every other frame is parsed as JSON.

const DELIVERY_HEAD = Buffer.from('{"op":"event","t":"message.created",');
const SEQ = Buffer.from('"seq":');
const TEXT = Buffer.from('"text":"bench|');
const BAR = 0x7c;
const QUOTE = 0x22;

/** A benchmark message as delivered: its event seq and what its text carries (`bench|<send number>|<scheduled send time>`). */
export interface Delivery {
  seq: number;
  sendId: number;
  scheduledAt: number;
}

/** The benchmark message a frame delivers, or undefined for any other frame. */
export function readDelivery(data: Buffer): Delivery | undefined {
  if (data.length <= DELIVERY_HEAD.length || data.compare(DELIVERY_HEAD, 0, DELIVERY_HEAD.length, 0, DELIVERY_HEAD.length) !== 0) return undefined;
  // The event's own seq comes before the message's fields.
  const seqAt = data.indexOf(SEQ, DELIVERY_HEAD.length);
  const textAt = data.indexOf(TEXT, DELIVERY_HEAD.length);
  if (seqAt < 0 || textAt < 0) return undefined;
  const idStart = textAt + TEXT.length;
  const idEnd = data.indexOf(BAR, idStart);
  const timeEnd = data.indexOf(QUOTE, idEnd);
  if (idEnd < 0 || timeEnd < 0) return undefined;
  return {
    seq: parseInt(data.toString('latin1', seqAt + SEQ.length, seqAt + SEQ.length + 20), 10),
    sendId: parseInt(data.toString('latin1', idStart, idEnd), 10),
    scheduledAt: Number(data.toString('latin1', idEnd + 1, timeEnd)),
  };
}
