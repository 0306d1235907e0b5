// Package teams runs cadencebot in Microsoft Teams over the Bot Framework
// REST protocol: it checks the JWT of every inbound activity, keeps the
// conversation references needed to message people and channels
// proactively, renders cadence messages as Adaptive Cards and sends them
// through the Bot Connector with pacing and Retry-After honoured.
//
// There is no maintained Go Bot Framework SDK, so this is a small client of
// the documented protocol:
//
//	inbound   POST /api/teams/messages            (Handler: JWT → activity → Service)
//	outbound  POST {serviceUrl}/v3/conversations   (proactive 1:1)
//	          POST {serviceUrl}/v3/conversations/{id}/activities[/{replyTo}]
//	          PUT  {serviceUrl}/v3/conversations/{id}/activities/{id}
//	          GET  {serviceUrl}/v3/teams/{teamId}/conversations  (channel names → ids)
//
// Delivery is at least once only inside one window: between the connector
// accepting an activity and the adapter journaling it (one local write). A
// crash there may post that activity twice; everywhere else Send and
// Update are idempotent through the journal (namespace "teams.sent").
package teams
