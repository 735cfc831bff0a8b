// Filled in by the move of the service's route schemas into contracts.
export {};
