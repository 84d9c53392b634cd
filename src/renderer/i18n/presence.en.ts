/** English words of presence (issue 15); merged into en.ts under `presence`. */
export const presenceEn = {
  region: 'Who is on this request',
  viewing: '{name} is viewing this request',
  editing: {
    none: '{name} is editing this request',
    title: '{name} is editing the title',
    description: '{name} is editing the description',
    priority: '{name} is editing the priority',
    address: '{name} is editing the address',
    assignee: '{name} is changing the assignee',
    transition: '{name} is changing the status',
    comment: '{name} is writing a comment',
  },
}
