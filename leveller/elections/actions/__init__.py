"""Every change to elections, motions and primaries, one module per topic. Views, the API, commands and tasks
import the module they need: `from leveller.elections.actions import voting` or
`from leveller.elections.actions.voting import cast_ballot`."""
