import { v5 as uuidv5 } from 'uuid';

/** Namespace of movement keys derived from operation confirmation keys (UUIDv5). */
const CONFIRMATION_MOVEMENTS_NAMESPACE = '2b0e8c64-5d1f-4a7e-b3c9-8f6a1d2e4c57';

/**
 * The movement key of an automatic goods movement made from a posted operation confirmation: the
 * goods receipt of its yield (`receipt`) or the backflush of one component (`backflush/<reservation>/
 * <item>`). Derived, so a replayed or redelivered confirmation finds its movements instead of moving
 * stock twice, and anyone holding the confirmation can find its material documents.
 */
export function movementKeyForConfirmation(confirmationKey: string, role: string): string {
  return uuidv5(`${confirmationKey}/${role}`, CONFIRMATION_MOVEMENTS_NAMESPACE);
}
