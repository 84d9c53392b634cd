/** Hand a generated file (export) to the browser's download, named `<stem>-<date>.<extension>`. */
export function downloadText(text: string, type: string, stem: string, extension: string) {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = `${stem}-${new Date().toISOString().slice(0, 10)}.${extension}`
  document.body.append(link)
  link.click()
  link.remove()
  // The download has started from the URL by now; keep it a moment for slow file dialogs.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
