import { sagaHandler } from '../../../shared/saga';
import { SagaState } from '../../../orders/saga-schemas';
import { releaseStock } from '../../domain/reservations';
import { reservationStore } from '../../deps';

const reservations = reservationStore();
export const handler = sagaHandler(SagaState, (state) => releaseStock(state.orderId, { reservations }));
