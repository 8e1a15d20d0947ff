import { systemClock } from '../../../shared/clients';
import { sagaHandler } from '../../../shared/saga';
import { SagaState } from '../../../orders/saga-schemas';
import { reserveStock } from '../../domain/reservations';
import { reservationStore } from '../../deps';

const reservations = reservationStore();
export const handler = sagaHandler(SagaState, (state) => reserveStock({ orderId: state.orderId, lines: state.lines }, { reservations, clock: systemClock }));
