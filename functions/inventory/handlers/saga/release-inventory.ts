import { systemClock } from '../../../shared/clock';
import { sagaHandler } from '../../../shared/saga';
import { OrderStep } from '../../../orders/saga-schemas';
import { releaseStock } from '../../domain/reservations';
import { reservationStore } from '../../deps';
import type { ReservationStore } from '../../ports';

export const makeHandler = (deps: { reservations: ReservationStore }) =>
  sagaHandler(OrderStep, (state) => releaseStock(state.orderId, { ...deps, clock: systemClock }));

export const handler = makeHandler({ reservations: reservationStore() });
