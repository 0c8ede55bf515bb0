// A view: a named stretch of the arena. Its own file, so the planner's helpers need not import the planner.
export interface View {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
}
