import { systemClock } from '../../../shared/clock';
import { sagaHandler } from '../../../shared/saga';
import { ReserveStep } from '../../../orders/saga-schemas';
import { reserveStock, type ReserveDeps } from '../../domain/reservations';
import { orderLinesView, reservationStore, reservationTtlSeconds } from '../../deps';

export const makeHandler = (deps: ReserveDeps) =>
  sagaHandler(ReserveStep, (state) => reserveStock(state.orderId, deps, state.lines));

export const handler = makeHandler({
  reservations: reservationStore(),
  orders: orderLinesView(),
  clock: systemClock,
  ttlSeconds: reservationTtlSeconds(),
});
