/** French words of the technician's « Ma journée » and the field day (issue 18); merged into fr.ts under `day`. */
export const dayFr = {}
