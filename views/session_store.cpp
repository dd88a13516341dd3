#include "views/session_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace kiln {

QString SessionStore::default_path() {
  const QString env = qEnvironmentVariable("KILN_SESSION_FILE");
  if (!env.isEmpty()) return env;
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/session.json");
}

bool SessionStore::save(const QString& path, const SessionState& state, QString* error) {
  Json j = Json::object();
  j["version"] = 1;
  j["model"] = state.model_path.toStdString();
  j["recipe"] = state.recipe;
  j["position"] = state.position;
  j["clean_exit"] = state.clean_exit;
  QDir().mkpath(QFileInfo(path).absolutePath());
  // Written whole or not at all: a crash while saving must not destroy the previous session.
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    if (error) *error = f.errorString();
    return false;
  }
  const std::string text = j.dump(2);
  f.write(text.data(), static_cast<qint64>(text.size()));
  if (!f.commit()) {
    if (error) *error = f.errorString();
    return false;
  }
  return true;
}

std::optional<SessionState> SessionStore::load(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return std::nullopt;
  const QByteArray bytes = f.readAll();
  try {
    const Json j = Json::parse(std::string_view(bytes.constData(), static_cast<size_t>(bytes.size())));
    SessionState s;
    if (const Json* m = j.find("model"); m && m->is_string()) s.model_path = QString::fromStdString(m->as_string());
    if (const Json* r = j.find("recipe"); r && r->is_object()) s.recipe = *r;
    if (const Json* p = j.find("position"); p && p->is_int()) s.position = static_cast<int>(p->as_int());
    if (const Json* c = j.find("clean_exit"); c && c->is_bool()) s.clean_exit = c->as_bool();
    return s;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace kiln
