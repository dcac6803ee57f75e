import { v7 } from 'uuid';

/** Time-ordered UUID v7, the id of every row and event. */
export function newId(): string {
  return v7();
}
