/** Generated registrations are 26xxxxxxxx: 2 600 000 000 + the candidate's index. */
export const REGISTRATION_BASE = 2_600_000_000;
