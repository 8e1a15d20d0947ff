/**
 * The most distinct products one order may hold, and so one cart (a cart is ordered whole).
 *
 * Why 50: checkout writes one DynamoDB item per order line in a single transaction, plus a few more — the
 * inventory hold writes the reservation and one inventory update per line; confirmation writes the order,
 * checks the ledger's charge and refund claim, closes the charge intent, commits the reservation and one
 * inventory update per line — and TransactWriteItems takes at most 100 items. A 99-line cart was charged and
 * then cancelled at confirmation; 50 lines keep every transaction at 55 items or fewer, with room to grow.
 */
export const MAX_ORDER_LINES = 50;
