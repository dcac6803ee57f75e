import type { Drill } from '../drill.js';
import { editDeleteRace } from './edit-delete-race.js';
import { lostAnswers } from './lost-answers.js';
import { natsKill } from './nats-kill.js';
import { natsWipe } from './nats-wipe.js';
import { offlineCatchUp } from './offline-catch-up.js';
import { postgresOutage } from './postgres-outage.js';
import { realtimeKills } from './realtime-kills.js';
import { redisOutage } from './redis-outage.js';
import { retryStorm } from './retry-storm.js';
import { slowCommits } from './slow-commits.js';
import { slowConsumer } from './slow-consumer.js';
import { totalOrder } from './total-order.js';

export const drills: Drill[] = [
  retryStorm,
  lostAnswers,
  totalOrder,
  slowCommits,
  offlineCatchUp,
  realtimeKills,
  natsKill,
  natsWipe,
  postgresOutage,
  redisOutage,
  slowConsumer,
  editDeleteRace,
];
