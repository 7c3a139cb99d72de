/** Cache namespaces of this module; keys are `games:list`, `games:id:<id>`, `games:list:<sha1>` (seed 002). */
export const GAMES_CACHE = 'games';
export const CLIENTS_CACHE = 'clients';
