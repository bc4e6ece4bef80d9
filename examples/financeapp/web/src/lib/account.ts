/** minPassword is the shortest password the platform accepts. */
export const minPassword = 12
