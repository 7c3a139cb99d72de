import { documentFeed } from '../common/kit';
import { ClientSchema } from './schemas/client.schema';
import { GameSchema } from './schemas/game.schema';

/** Cache namespaces of this module; keys are `games:list`, `games:id:<id>`, `games:list:<sha1>` (the key scheme the games API has always had). */
export const GAMES_NS = 'games';
export const CLIENTS_NS = 'clients';

/** Writes made anywhere to these collections drop the game's or client's key and every list (the change feed). */
export const GAMES_FEED = [documentFeed(GameSchema, GAMES_NS), documentFeed(ClientSchema, CLIENTS_NS)];
