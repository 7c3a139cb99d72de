import { documentSource } from '../infra/cache/feed/feed-source';

/** Cache namespaces of this module; keys are `games:list`, `games:id:<id>`, `games:list:<sha1>` (seed 002). */
export const GAMES_CACHE = 'games';
export const CLIENTS_CACHE = 'clients';

/** Writes made anywhere to these collections drop the game's or client's key and every list (the change feed). */
export const STORE_FEED = [documentSource('games', GAMES_CACHE), documentSource('clients', CLIENTS_CACHE)];
